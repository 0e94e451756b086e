using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Runtime
{
    /// <summary>
    /// A tensor bound to memory: the array that holds its bytes (the arena or, for constants,
    /// the blob) and where they start. Created once per tensor when the interpreter is built.
    /// </summary>
    public sealed class TensorView
    {
        public TensorInfo Info { get; private set; }
        public byte[] Buffer { get; private set; }
        public int Start { get; private set; }
        public int Bytes { get { return Info.Bytes; } }

        internal TensorView(TensorInfo info, byte[] buffer)
        {
            Info = info;
            Buffer = buffer;
            Start = info.Start;
        }

        /// <summary>Copies <see cref="Bytes"/> bytes from <paramref name="source"/> into the tensor.</summary>
        public void CopyFrom(byte[] source, int sourceStart)
        {
            if (source == null) throw new ArgumentNullException("source");
            if (sourceStart < 0 || sourceStart + Bytes > source.Length)
                throw new ArgumentException("tensor '" + Info.Name + "' needs " + Bytes + " bytes, the source has "
                    + (source.Length - sourceStart) + " from offset " + sourceStart);
            Array.Copy(source, sourceStart, Buffer, Start, Bytes);
        }

        /// <summary>Copies the tensor's bytes into <paramref name="destination"/>.</summary>
        public void CopyTo(byte[] destination, int destinationStart)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            if (destinationStart < 0 || destinationStart + Bytes > destination.Length)
                throw new ArgumentException("tensor '" + Info.Name + "' has " + Bytes + " bytes, the destination has room for "
                    + (destination.Length - destinationStart) + " from offset " + destinationStart);
            Array.Copy(Buffer, Start, destination, destinationStart, Bytes);
        }

        /// <summary>Element <paramref name="i"/> of an int8 tensor.</summary>
        public int GetInt8(int i) { return (sbyte)Buffer[Start + i]; }

        public void SetInt8(int i, int value) { Buffer[Start + i] = (byte)(sbyte)value; }
    }

    /// <summary>
    /// Runs a <see cref="Model"/> over one arena. Everything is bound at construction;
    /// <see cref="Invoke"/> only computes and allocates nothing.
    /// One interpreter per thread: the arena is its working memory.
    /// </summary>
    public sealed class Interpreter
    {
        readonly Model model;
        readonly byte[] arena;
        readonly TensorView[] views;
        // Per operator, the bound arrays and starts of inputs 0..2 and the output.
        readonly byte[][] in0, in1, in2, outBuf;
        readonly int[] in0Start, in1Start, in2Start, outStart;
        // Per operator with a variable input list (CONCATENATION), every input's array and start; null otherwise.
        readonly byte[][][] inAll;
        readonly int[][] inAllStart;

        public Model Model { get { return model; } }
        public byte[] Arena { get { return arena; } }

        /// <summary>Builds an interpreter with its own arena of <see cref="Model.ArenaBytes"/> bytes.</summary>
        public Interpreter(Model model) : this(model, null) { }

        /// <summary>Builds an interpreter over a caller-owned arena (at least <see cref="Model.ArenaBytes"/> bytes), or its own when null.</summary>
        public Interpreter(Model model, byte[] arena)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (arena != null && arena.Length < model.ArenaBytes)
                throw new ArgumentException("the arena has " + arena.Length + " bytes; this model needs " + model.ArenaBytes);
            this.model = model;
            this.arena = arena ?? new byte[model.ArenaBytes];
            views = new TensorView[model.TensorCount];
            for (int i = 0; i < views.Length; i++)
            {
                TensorInfo t = model.GetTensor(i);
                views[i] = new TensorView(t, t.IsConstant ? model.Blob : this.arena);
            }
            int n = model.OperatorCount;
            in0 = new byte[n][]; in1 = new byte[n][]; in2 = new byte[n][]; outBuf = new byte[n][];
            in0Start = new int[n]; in1Start = new int[n]; in2Start = new int[n]; outStart = new int[n];
            inAll = new byte[n][][];
            inAllStart = new int[n][];
            for (int i = 0; i < n; i++)
            {
                OperatorInfo op = model.GetOperator(i);
                Bind(op.Inputs, 0, out in0[i], out in0Start[i]);
                Bind(op.Inputs, 1, out in1[i], out in1Start[i]);
                Bind(op.Inputs, 2, out in2[i], out in2Start[i]);
                Bind(op.Outputs, 0, out outBuf[i], out outStart[i]);
                if (op.Code == OpCode.Concatenation)
                {
                    inAll[i] = new byte[op.Inputs.Length][];
                    inAllStart[i] = new int[op.Inputs.Length];
                    for (int k = 0; k < op.Inputs.Length; k++)
                        Bind(op.Inputs, k, out inAll[i][k], out inAllStart[i][k]);
                }
            }
        }

        void Bind(int[] tensorsOfOp, int k, out byte[] buffer, out int start)
        {
            if (k < tensorsOfOp.Length && tensorsOfOp[k] >= 0)
            {
                TensorView v = views[tensorsOfOp[k]];
                buffer = v.Buffer;
                start = v.Start;
            }
            else
            {
                buffer = null;
                start = -1;
            }
        }

        public int InputCount { get { return model.InputCount; } }
        public int OutputCount { get { return model.OutputCount; } }
        public TensorView GetInput(int i) { return views[model.GetInputTensorIndex(i)]; }
        public TensorView GetOutput(int i) { return views[model.GetOutputTensorIndex(i)]; }
        public TensorView GetTensor(int index) { return views[index]; }

        /// <summary>Runs every operator in order.</summary>
        public void Invoke()
        {
            int n = model.OperatorCount;
            for (int i = 0; i < n; i++) InvokeOperator(i);
        }

        /// <summary>
        /// Runs operator <paramref name="index"/> alone. Invoking 0..N-1 in order equals <see cref="Invoke"/>;
        /// after operator i its output tensor holds that layer's result (until the arena reuses it).
        /// </summary>
        public void InvokeOperator(int index)
        {
            OperatorInfo op = model.GetOperator(index);
            byte[] blob = model.Blob;
            switch (op.Code)
            {
                case OpCode.Conv2D:
                    Conv2D.Eval((ConvParams)op.Params, in0[index], in0Start[index], in1[index], in1Start[index],
                        in2[index], in2Start[index], blob, op.MultiplierStart, op.ShiftStart, outBuf[index], outStart[index]);
                    break;
                case OpCode.DepthwiseConv2D:
                    DepthwiseConv2D.Eval((ConvParams)op.Params, in0[index], in0Start[index], in1[index], in1Start[index],
                        in2[index], in2Start[index], blob, op.MultiplierStart, op.ShiftStart, outBuf[index], outStart[index]);
                    break;
                case OpCode.FullyConnected:
                    FullyConnected.Eval((FullyConnectedParams)op.Params, in0[index], in0Start[index], in1[index], in1Start[index],
                        in2[index], in2Start[index], blob, op.MultiplierStart, op.ShiftStart, outBuf[index], outStart[index]);
                    break;
                case OpCode.Add:
                    Add.Eval((AddParams)op.Params, in0[index], in0Start[index], in1[index], in1Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.AveragePool2D:
                    AveragePool2D.Eval((PoolParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.MaxPool2D:
                    MaxPool2D.Eval((PoolParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Softmax:
                    Softmax.Eval((SoftmaxParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Reshape:
                case OpCode.Squeeze:
                    // A copy: the planner gives the output its own buffer (aliasing is a planner improvement).
                    if (in0[index] != outBuf[index] || in0Start[index] != outStart[index])
                        Array.Copy(in0[index], in0Start[index], outBuf[index], outStart[index], views[op.Outputs[0]].Bytes);
                    break;
                case OpCode.Mul:
                    Mul.Eval((MulParams)op.Params, in0[index], in0Start[index], in1[index], in1Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Logistic:
                    Logistic.Eval((FixedPointActivationParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Tanh:
                    Tanh.Eval((FixedPointActivationParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.LeakyRelu:
                    LeakyRelu.Eval((LeakyReluParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Relu:
                    Relu.Eval((ReluParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Relu6:
                    Relu6.Eval((Relu6Params)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Pad:
                    Pad.Eval((PadParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Concatenation:
                    Concatenation.Eval((ConcatenationParams)op.Params, inAll[index], inAllStart[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Quantize:
                    Quantize.Eval((RequantizeParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.HardSwish:
                    HardSwish.Eval((HardSwishParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
                case OpCode.Mean:
                    Mean.Eval((MeanParams)op.Params, in0[index], in0Start[index], outBuf[index], outStart[index]);
                    break;
            }
        }
    }
}

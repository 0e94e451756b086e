using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Runtime
{
    /// <summary>
    /// A tensor bound to memory: the array that holds its bytes (the arena or, for constants,
    /// the blob) and where they start. Created on first request (<see cref="Interpreter.GetInput"/>,
    /// <see cref="Interpreter.GetOutput"/>, <see cref="Interpreter.GetTensor"/>) and then reused.
    /// </summary>
    public sealed class TensorView
    {
        readonly Model model;
        TensorInfo info;

        /// <summary>The tensor's description (built on first use; see <see cref="Model.GetTensor"/>).</summary>
        public TensorInfo Info
        {
            get
            {
                if (info == null) info = model.GetTensor(Index);
                return info;
            }
        }

        public int Index { get; private set; }
        public byte[] Buffer { get; private set; }
        public int Start { get; private set; }
        public int Bytes { get; private set; }

        internal TensorView(Model model, int index, byte[] buffer)
        {
            this.model = model;
            Index = index;
            Buffer = buffer;
            Start = model.TensorStart(index);
            Bytes = model.TensorBytes(index);
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
    /// Runs a <see cref="Model"/> over one arena. The model's operator table already says where
    /// every operator's tensors live; <see cref="Invoke"/> only computes and allocates nothing.
    /// One interpreter per thread: the arena is its working memory.
    /// </summary>
    /// <remarks>
    /// Memory: construction allocates this object and, only for operators with more than three
    /// inputs and for CONCATENATION, the arrays that bind their input lists, and for models with
    /// UNIDIRECTIONAL_SEQUENCE_LSTM one int16 array of gate buffers (4 x rows per step x state size
    /// of the largest such operator), plus the arena when the caller passes none. Tensor views are
    /// created on first request and kept.
    /// State: variable tensors (format 1.3: SVDF, LSTM and other stateful ops) keep their bytes from
    /// one <see cref="Invoke"/> to the next; construction and <see cref="ResetState"/> clear them.
    /// </remarks>
    public sealed class Interpreter
    {
        readonly Model model;
        readonly byte[] arena;
        // Per operator, only for operators with more than three inputs or CONCATENATION (null when the
        // model has none): every input's array (null when an optional input is absent) and start (-1).
        readonly byte[][][] opInputs;
        readonly int[][] opStarts;
        // int16 gate buffers of UNIDIRECTIONAL_SEQUENCE_LSTM (TFLM's four scratch buffers), one array
        // sized for the largest such operator (operators run one at a time); null when the model has none.
        readonly short[] lstmScratch;
        // Created on first request.
        TensorView[] inputViews, outputViews, views;

        public Model Model { get { return model; } }
        public byte[] Arena { get { return arena; } }

        /// <summary>
        /// Implementations of the operators <see cref="KernelSet"/> lists (CONV_2D, DEPTHWISE_CONV_2D,
        /// FULLY_CONNECTED, ADD, pooling, int16 SUB / LEAKY_RELU, PAD, QUANTIZE, STRIDED_SLICE) to use instead of the
        /// reference kernels (e.g. Mote.Kernels.Simd's, bit-exact with them); null = reference.
        /// </summary>
        public KernelSet Kernels { get { return kernels; } set { kernels = value; } }
        KernelSet kernels;

        /// <summary>Builds an interpreter with its own arena of <see cref="Model.ArenaBytes"/> bytes.</summary>
        public Interpreter(Model model) : this(model, null) { }

        /// <summary>Builds an interpreter over a caller-owned arena (at least <see cref="Model.ArenaBytes"/> bytes), or its own when null.</summary>
        /// <exception cref="ArenaTooSmallException">the arena is shorter than <see cref="Model.ArenaBytes"/>.</exception>
        public Interpreter(Model model, byte[] arena)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (arena != null && arena.Length < model.ArenaBytes)
                throw new ArenaTooSmallException(model.ArenaBytes, arena.Length);
            this.model = model;
            this.arena = arena ?? new byte[model.ArenaBytes];
            int n = model.OperatorCount;
            int lstmScratchElements = 0;
            for (int i = 0; i < n; i++)
            {
                UnidirectionalSequenceLstmParams lstm = model.Prepared[i] as UnidirectionalSequenceLstmParams;
                if (lstm != null && lstm.ScratchElements > lstmScratchElements) lstmScratchElements = lstm.ScratchElements;
            }
            if (lstmScratchElements > 0) lstmScratch = new short[lstmScratchElements];
            for (int i = 0; i < n; i++)
            {
                int count = model.OperatorInputCount(i);
                if (count <= 3 && model.OperatorCode(i) != OpCode.Concatenation) continue;
                if (opInputs == null)
                {
                    opInputs = new byte[n][][];
                    opStarts = new int[n][];
                }
                opInputs[i] = new byte[count][];
                opStarts[i] = new int[count];
                for (int k = 0; k < count; k++)
                {
                    int binding = model.Binding(model.OperatorInput(i, k));
                    opInputs[i][k] = BufferOf(binding);
                    opStarts[i][k] = StartOf(binding);
                }
            }
            ResetState();
        }

        /// <summary>
        /// Clears every variable (state) tensor as TensorFlow Lite Micro's ResetVariableTensors does:
        /// int8 tensors to their zero point, all others to 0. Call it between independent sequences
        /// (e.g. before each utterance of a recurrent model). Allocates nothing.
        /// </summary>
        public void ResetState()
        {
            int[] vars = model.VariableTensors;
            if (vars == null) return;
            for (int v = 0; v < vars.Length; v++)
            {
                int t = vars[v];
                int start = model.TensorStart(t), bytes = model.TensorBytes(t);
                byte fill = model.TensorType(t) == DataType.Int8 ? (byte)(sbyte)model.TensorZeroPoint(t) : (byte)0;
                for (int k = 0; k < bytes; k++) arena[start + k] = fill;
            }
        }

        /// <summary>The array a binding (see Model's operator table) points into: arena, blob, or null when absent.</summary>
        byte[] BufferOf(int binding)
        {
            return binding >= 0 ? arena : binding == Model.NoTensor ? null : model.Blob;
        }

        /// <summary>The start inside <see cref="BufferOf"/>'s array (-1 when absent).</summary>
        static int StartOf(int binding)
        {
            return binding >= Model.NoTensor ? binding : -2 - binding;
        }

        TensorView NewView(int t)
        {
            return new TensorView(model, t, model.TensorIsConstant(t) ? model.Blob : arena);
        }

        public int InputCount { get { return model.InputCount; } }
        public int OutputCount { get { return model.OutputCount; } }

        /// <summary>Model input <paramref name="i"/> (the view is created on the first call and reused).</summary>
        public TensorView GetInput(int i)
        {
            int t = model.GetInputTensorIndex(i);
            if (inputViews == null) inputViews = new TensorView[model.InputCount];
            if (inputViews[i] == null) inputViews[i] = NewView(t);
            return inputViews[i];
        }

        /// <summary>Model output <paramref name="i"/> (the view is created on the first call and reused).</summary>
        public TensorView GetOutput(int i)
        {
            int t = model.GetOutputTensorIndex(i);
            if (outputViews == null) outputViews = new TensorView[model.OutputCount];
            if (outputViews[i] == null) outputViews[i] = NewView(t);
            return outputViews[i];
        }

        /// <summary>Any tensor, for tools and layer dumps (the first call creates a view table of TensorCount entries).</summary>
        public TensorView GetTensor(int index)
        {
            if (index < 0 || index >= model.TensorCount) throw new ArgumentOutOfRangeException("index", "tensor " + index + " of " + model.TensorCount);
            if (views == null) views = new TensorView[model.TensorCount];
            if (views[index] == null) views[index] = NewView(index);
            return views[index];
        }

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
            if (index < 0 || index >= model.OperatorCount)
                throw new ArgumentOutOfRangeException("index", "operator " + index + " of " + model.OperatorCount);
            int[] ops = model.Ops;
            int row = index * Model.OpStride;
            int b0 = ops[row + Model.SlotIn0], b1 = ops[row + Model.SlotIn1], b2 = ops[row + Model.SlotIn2];
            byte[] in0 = BufferOf(b0), in1 = BufferOf(b1), in2 = BufferOf(b2);
            int in0Start = StartOf(b0), in1Start = StartOf(b1), in2Start = StartOf(b2);
            byte[] output = arena; // outputs are never constants (checked at load)
            int outStart = ops[row + Model.SlotOut];
            byte[] blob = model.Blob;
            int multipliers = ops[row + Model.SlotMultipliers], shifts = ops[row + Model.SlotShifts];
            object p = model.Prepared[index];
            switch (ops[row + Model.SlotCode])
            {
                case OpCode.Conv2D:
                    // The kernel set serves int8 only; 16x8 always runs the reference kernel.
                    if (((ConvParams)p).ActivationType == DataType.Int16) Conv2D16x8.Eval((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else if (kernels != null) kernels.Conv2D((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else Conv2D.Eval((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    break;
                case OpCode.DepthwiseConv2D:
                    if (((ConvParams)p).ActivationType == DataType.Int16) DepthwiseConv2D16x8.Eval((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else if (kernels != null) kernels.DepthwiseConv2D((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else DepthwiseConv2D.Eval((ConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    break;
                case OpCode.FullyConnected:
                    // The kernel set serves int8 only; 16x8 always runs the reference kernel.
                    if (((FullyConnectedParams)p).ActivationType == DataType.Int16) FullyConnected16x8.Eval((FullyConnectedParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else if (kernels != null) kernels.FullyConnected((FullyConnectedParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    else FullyConnected.Eval((FullyConnectedParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    break;
                case OpCode.Add:
                    if (p is BinaryInt32Params) BinaryInt32.Eval((BinaryInt32Params)p, in0, in0Start, in1, in1Start, output, outStart);
                    else
                    {
                        AddParams ap = (AddParams)p;
                        // int32 (above) always runs the reference kernel.
                        if (ap.ElementType == DataType.Int16)
                        {
                            if (kernels != null) kernels.AddInt16(ap, in0, in0Start, in1, in1Start, output, outStart);
                            else AddInt16.Eval(ap, in0, in0Start, in1, in1Start, output, outStart);
                        }
                        else if (kernels != null) kernels.Add(ap, in0, in0Start, in1, in1Start, output, outStart);
                        else Add.Eval(ap, in0, in0Start, in1, in1Start, output, outStart);
                    }
                    break;
                case OpCode.Sub:
                    {
                        AddParams sp = (AddParams)p;
                        if (sp.ElementType != DataType.Int16) Sub.Eval(sp, in0, in0Start, in1, in1Start, output, outStart);
                        else if (kernels != null) kernels.SubInt16(sp, in0, in0Start, in1, in1Start, output, outStart);
                        else Sub.EvalInt16(sp, in0, in0Start, in1, in1Start, output, outStart);
                    }
                    break;
                case OpCode.AveragePool2D:
                    if (((PoolParams)p).ElementType == DataType.Int16) AveragePool2D.EvalInt16((PoolParams)p, in0, in0Start, output, outStart);
                    else if (kernels != null) kernels.AveragePool2D((PoolParams)p, in0, in0Start, output, outStart);
                    else AveragePool2D.Eval((PoolParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.MaxPool2D:
                    if (((PoolParams)p).ElementType == DataType.Int16) MaxPool2D.EvalInt16((PoolParams)p, in0, in0Start, output, outStart);
                    else if (kernels != null) kernels.MaxPool2D((PoolParams)p, in0, in0Start, output, outStart);
                    else MaxPool2D.Eval((PoolParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Softmax:
                    Softmax.Eval((SoftmaxParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Reshape:
                case OpCode.Squeeze:
                    // A copy unless the planner placed the output over the input (a view).
                    if (in0 != output || in0Start != outStart)
                        Array.Copy(in0, in0Start, output, outStart, ops[row + Model.SlotOutBytes]);
                    break;
                case OpCode.Mul:
                    if (p is BinaryInt32Params) BinaryInt32.Eval((BinaryInt32Params)p, in0, in0Start, in1, in1Start, output, outStart);
                    else
                    {
                        MulParams mp = (MulParams)p;
                        if (mp.ElementType == DataType.Int16) MulInt16.Eval(mp, in0, in0Start, in1, in1Start, output, outStart);
                        else Mul.Eval(mp, in0, in0Start, in1, in1Start, output, outStart);
                    }
                    break;
                case OpCode.Logistic:
                    if (kernels != null) kernels.Logistic((FixedPointActivationParams)p, in0, in0Start, output, outStart);
                    else Logistic.Eval((FixedPointActivationParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Tanh:
                    Tanh.Eval((FixedPointActivationParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.LeakyRelu:
                    {
                        LeakyReluParams lp = (LeakyReluParams)p;
                        if (lp.ElementType != DataType.Int16) LeakyRelu.Eval(lp, in0, in0Start, output, outStart);
                        else if (kernels != null) kernels.LeakyReluInt16(lp, in0, in0Start, output, outStart);
                        else LeakyReluInt16.Eval(lp, in0, in0Start, output, outStart);
                    }
                    break;
                case OpCode.Relu:
                    Relu.Eval((ReluParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Relu6:
                    Relu6.Eval((Relu6Params)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Pad:
                    if (kernels != null) kernels.Pad((PadParams)p, in0, in0Start, output, outStart);
                    else Pad.Eval((PadParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Concatenation:
                    Concatenation.Eval((ConcatenationParams)p, opInputs[index], opStarts[index], output, outStart);
                    break;
                case OpCode.Quantize:
                    if (kernels != null) kernels.Quantize((RequantizeParams)p, in0, in0Start, output, outStart);
                    else Quantize.Eval((RequantizeParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.HardSwish:
                    HardSwish.Eval((HardSwishParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Mean:
                    Mean.Eval((MeanParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Cast:
                    Cast.Eval((CastParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Div:
                case OpCode.Maximum:
                case OpCode.Minimum:
                    BinaryInt32.Eval((BinaryInt32Params)p, in0, in0Start, in1, in1Start, output, outStart);
                    break;
                case OpCode.SignalWindow:
                    SignalWindow.Eval((SignalWindowParams)p, in0, in0Start, in1, in1Start, output, outStart);
                    break;
                case OpCode.SignalFftAutoScale:
                    SignalFftAutoScale.Eval((SignalFftAutoScaleParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.SignalRfft:
                    SignalRfft.Eval((SignalRfftParams)p, in0, in0Start, in1, in1Start, output, outStart);
                    break;
                case OpCode.SignalEnergy:
                    SignalEnergy.Eval((SignalEnergyParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.SignalFilterBank:
                    SignalFilterBank.Eval((SignalFilterBankParams)p, opInputs[index], opStarts[index], output, outStart);
                    break;
                case OpCode.SignalFilterBankSquareRoot:
                    SignalFilterBankSquareRoot.Eval((SignalSquareRootParams)p, in0, in0Start, in1, in1Start, output, outStart);
                    break;
                case OpCode.SignalFilterBankSpectralSubtraction:
                    SignalFilterBankSpectralSubtraction.Eval((SignalSpectralSubtractionParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.SignalFilterBankLog:
                    SignalFilterBankLog.Eval((SignalLogParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.SignalPcan:
                    SignalPcan.Eval((SignalPcanParams)p, in0, in0Start, in1, in1Start, in2, in2Start, output, outStart);
                    break;
                case OpCode.Dequantize:
                    Dequantize.Eval((DequantizeParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.StridedSlice:
                    if (kernels != null) kernels.StridedSlice((StridedSliceParams)p, in0, in0Start, output, outStart);
                    else StridedSlice.Eval((StridedSliceParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Transpose:
                    Transpose.Eval((TransposeParams)p, in0, in0Start, output, outStart);
                    break;
                case OpCode.Svdf:
                    if (kernels != null) kernels.Svdf((SvdfParams)p, opInputs[index], opStarts[index], output, outStart);
                    else Svdf.Eval((SvdfParams)p, opInputs[index], opStarts[index], output, outStart);
                    break;
                case OpCode.UnidirectionalSequenceLstm:
                    if (kernels != null) kernels.UnidirectionalSequenceLstm((UnidirectionalSequenceLstmParams)p, opInputs[index], opStarts[index], output, outStart, lstmScratch);
                    else UnidirectionalSequenceLstm.Eval((UnidirectionalSequenceLstmParams)p, opInputs[index], opStarts[index], output, outStart, lstmScratch);
                    break;
                case OpCode.TransposeConv:
                    TransposeConv.Eval((TransposeConvParams)p, in0, in0Start, in1, in1Start, in2, in2Start, blob, multipliers, shifts, output, outStart);
                    break;
            }
        }
    }
}

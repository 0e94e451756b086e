namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// The seam through which an <see cref="Interpreter"/> can run other implementations of the
    /// heavy operators and of the int16 element-wise / copy operators (e.g. Mote.Kernels.Simd on
    /// .NET 8+) without this project referencing them.
    /// Every method has the reference kernel's name and signature and defaults to the reference
    /// kernel; an override must be bit-exact with it. Set <see cref="Interpreter.Kernels"/>;
    /// null (the default) calls the reference kernels directly.
    /// </summary>
    public class KernelSet
    {
        public virtual void Conv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            Kernels.Conv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
        }

        public virtual void DepthwiseConv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            Kernels.DepthwiseConv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
        }

        public virtual void FullyConnected(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            Kernels.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
        }

        /// <summary>ADD, int8 only (the interpreter sends int16 ADD and int32 ADD to their reference kernels).</summary>
        public virtual void Add(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            Kernels.Add.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
        }

        /// <summary>SVDF (integer path, int8 or int16 state); reads and updates the state (inputs[4]) in place.</summary>
        public virtual void Svdf(SvdfParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            Kernels.Svdf.Eval(p, inputs, starts, output, outputStart);
        }

        /// <summary>LOGISTIC int8.</summary>
        public virtual void Logistic(FixedPointActivationParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.Logistic.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>MAX_POOL_2D, int8 only (the interpreter sends int16 pooling to its reference kernel).</summary>
        public virtual void MaxPool2D(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.MaxPool2D.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>AVERAGE_POOL_2D, int8 only (the interpreter sends int16 pooling to its reference kernel).</summary>
        public virtual void AveragePool2D(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.AveragePool2D.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>ADD, int16 (<see cref="Kernels.AddInt16"/>).</summary>
        public virtual void AddInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            Kernels.AddInt16.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
        }

        /// <summary>SUB, int16 (<see cref="Kernels.Sub.EvalInt16"/>; int8 SUB always runs the reference kernel).</summary>
        public virtual void SubInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            Kernels.Sub.EvalInt16(p, input1, input1Start, input2, input2Start, output, outputStart);
        }

        /// <summary>LEAKY_RELU, int16 (<see cref="Kernels.LeakyReluInt16"/>; int8 always runs the reference kernel).</summary>
        public virtual void LeakyReluInt16(LeakyReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.LeakyReluInt16.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>PAD / PADV2, int8 and int16.</summary>
        public virtual void Pad(PadParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.Pad.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>QUANTIZE, every type pair the reference serves.</summary>
        public virtual void Quantize(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.Quantize.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>STRIDED_SLICE, any element size.</summary>
        public virtual void StridedSlice(StridedSliceParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            Kernels.StridedSlice.Eval(p, input, inputStart, output, outputStart);
        }

        /// <summary>UNIDIRECTIONAL_SEQUENCE_LSTM (int8/int16, TFLM's integer LSTM); updates the hidden and cell state inputs in place.</summary>
        public virtual void UnidirectionalSequenceLstm(UnidirectionalSequenceLstmParams p, byte[][] inputs, int[] starts,
            byte[] output, int outputStart, short[] scratch)
        {
            Kernels.UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, outputStart, scratch);
        }
    }
}

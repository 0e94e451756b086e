namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// RELU, int8. Follows TFLM ReluQuantized (micro/kernels/activations.h): the input is
    /// requantized to the output scale, then clamped at the output zero point.
    /// </summary>
    public static class Relu
    {
        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        /// out = OutputOffset + MultiplyByQuantizedMultiplier(x + InputOffset, OutputMultiplier, OutputShift),
        /// clamped to [ActivationMin, ActivationMax] (the output zero point and 127 for RELU).
        /// </summary>
        public static void Eval(ReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Size; i++)
            {
                int v = (sbyte)input[inputStart + i] + p.InputOffset;
                int result = unchecked(p.OutputOffset + FixedPoint.MultiplyByQuantizedMultiplier(v, p.OutputMultiplier, p.OutputShift));
                if (result < p.ActivationMin) result = p.ActivationMin;
                if (result > p.ActivationMax) result = p.ActivationMax;
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// QUANTIZE int8 -> int8 (requantization). Follows TFLM reference_ops::Requantize
    /// (reference/requantize.h) as the int8 -> int8 path of EvalQuantizeReference calls it.
    /// </summary>
    public static class Quantize
    {
        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        /// out = MultiplyByQuantizedMultiplier(x + InputOffset, OutputMultiplier, OutputShift) + OutputOffset,
        /// clamped to [-128, 127]. Equal scales give the multiplier (2^30, shift 1), which is
        /// exact, so the op is then a zero-point shift.
        /// </summary>
        public static void Eval(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Size; i++)
            {
                int v = (sbyte)input[inputStart + i] + p.InputOffset;
                int result = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(v, p.OutputMultiplier, p.OutputShift) + p.OutputOffset);
                if (result < -128) result = -128;
                if (result > 127) result = 127;
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}

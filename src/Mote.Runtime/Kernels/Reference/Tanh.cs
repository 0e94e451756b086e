namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// TANH int8 -> int8 (output scale 1/128, zero point 0). Follows TFLM
    /// reference_integer_ops::Tanh (integer_ops/tanh.h): gemmlowp's fixed-point tanh on a
    /// Q4.27 input, no lookup table (TFLM uses a table only for int16).
    /// </summary>
    public static class Tanh
    {
        private const int InputIntegerBits = 4;
        private const int OutputScaleBits = 7;

        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        ///  1. v = x + InputOffset (minus the input zero point);
        ///  2. v &lt;= -InputRangeRadius gives -128 and v &gt;= InputRangeRadius gives 127;
        ///  3. otherwise q = MultiplyByQuantizedMultiplier(v, InputMultiplier, InputLeftShift)
        ///     read as Q4.27; t = gemmlowp tanh(q) in Q0.31;
        ///     out = RoundingDivideByPOT(t, 31 - 7), clamped to [-128, 127]. No output zero
        ///     point is added: TFLM assumes it is 0.
        /// </summary>
        public static void Eval(FixedPointActivationParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Size; i++)
            {
                int v = (sbyte)input[inputStart + i] + p.InputOffset;
                int result;
                if (v <= -p.InputRangeRadius)
                {
                    result = -128;
                }
                else if (v >= p.InputRangeRadius)
                {
                    result = 127;
                }
                else
                {
                    int inputQ4 = FixedPoint.MultiplyByQuantizedMultiplier(v, p.InputMultiplier, p.InputLeftShift);
                    int outputQ0 = FixedPoint.Tanh(inputQ4, InputIntegerBits);
                    result = FixedPoint.RoundingDivideByPOT(outputQ0, 31 - OutputScaleBits);
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                }
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}

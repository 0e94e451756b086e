namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// LOGISTIC int8 -> int8 (output scale 1/256, zero point -128). Follows TFLM
    /// reference_integer_ops::Logistic (integer_ops/logistic.h): gemmlowp's fixed-point
    /// logistic on a Q4.27 input, no lookup table (TFLM uses a table only for int16).
    /// </summary>
    public static class Logistic
    {
        private const int InputIntegerBits = 4;
        private const int OutputIntegerBits = 8;

        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        ///  1. v = x + InputOffset (minus the input zero point);
        ///  2. v &lt;= -InputRangeRadius gives -128 and v &gt;= InputRangeRadius gives 127 (the
        ///     sigmoid is within half an output step of 0 or 1 there; radius 0 sends 0 to -128,
        ///     as in TFLM);
        ///  3. otherwise q = MultiplyByQuantizedMultiplier(v, InputMultiplier, InputLeftShift),
        ///     read as Q4.27 (input_scale * v); s = gemmlowp logistic(q) in Q0.31;
        ///     out = RoundingDivideByPOT(s, 31 - 8) - 128, clamped to [-128, 127].
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
                    int outputQ0 = FixedPoint.Logistic(inputQ4, InputIntegerBits);
                    result = FixedPoint.RoundingDivideByPOT(outputQ0, 31 - OutputIntegerBits) - 128;
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                }
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}

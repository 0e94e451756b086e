namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// LEAKY_RELU, int8. Follows TFLM reference_ops::QuantizeLeakyRelu (reference/leaky_relu.h).
    /// </summary>
    public static class LeakyRelu
    {
        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        ///  1. v = x + InputOffset (minus the input zero point);
        ///  2. v &gt;= 0: out = OutputOffset + MultiplyByQuantizedMultiplier(v, IdentityMultiplier, IdentityShift);
        ///     v &lt; 0: s = MultiplyByQuantizedMultiplier(v, |AlphaMultiplier|, AlphaShift) and
        ///     out = OutputOffset + s, or OutputOffset - s when AlphaMultiplier is negative
        ///     (a negative alpha; TFLM multiplies by the magnitude and negates);
        ///  3. clamp to [-128, 127].
        /// </summary>
        public static void Eval(LeakyReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            bool alphaNegative = p.AlphaMultiplier < 0;
            int alphaMagnitude = alphaNegative ? -p.AlphaMultiplier : p.AlphaMultiplier;
            for (int i = 0; i < p.Size; i++)
            {
                int v = (sbyte)input[inputStart + i] + p.InputOffset;
                int result = p.OutputOffset;
                if (v >= 0)
                {
                    result = unchecked(result + FixedPoint.MultiplyByQuantizedMultiplier(v, p.IdentityMultiplier, p.IdentityShift));
                }
                else
                {
                    int scaled = FixedPoint.MultiplyByQuantizedMultiplier(v, alphaMagnitude, p.AlphaShift);
                    result = unchecked(alphaNegative ? result - scaled : result + scaled);
                }
                if (result < -128) result = -128;
                if (result > 127) result = 127;
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}

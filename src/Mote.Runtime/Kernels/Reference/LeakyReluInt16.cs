namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// LEAKY_RELU, int16 activations. Follows TFLM reference_ops::QuantizeLeakyRelu&lt;int16_t&gt;
    /// (reference/leaky_relu.h, called by micro/kernels/leaky_relu.cc for int16): the int8
    /// algorithm of <see cref="LeakyRelu"/> on 2-byte little-endian elements, clamped to
    /// [-32768, 32767]. TFLM's Prepare computes the multipliers the same way for both types.
    /// </summary>
    public static class LeakyReluInt16
    {
        /// <summary>
        /// Size elements. For each: v = x + InputOffset; v &gt;= 0: out = OutputOffset +
        /// MultiplyByQuantizedMultiplier(v, IdentityMultiplier, IdentityShift); v &lt; 0:
        /// s = MultiplyByQuantizedMultiplier(v, |AlphaMultiplier|, AlphaShift), out =
        /// OutputOffset + s (or - s for a negative alpha); clamp to [-32768, 32767].
        /// </summary>
        public static void Eval(LeakyReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            bool alphaNegative = p.AlphaMultiplier < 0;
            int alphaMagnitude = alphaNegative ? -p.AlphaMultiplier : p.AlphaMultiplier;
            for (int i = 0; i < p.Size; i++)
            {
                int v = AddInt16.Int16At(input, inputStart + 2 * i) + p.InputOffset;
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
                if (result < -32768) result = -32768;
                if (result > 32767) result = 32767;
                int o = outputStart + 2 * i;
                output[o] = (byte)result;
                output[o + 1] = (byte)(result >> 8);
            }
        }
    }
}

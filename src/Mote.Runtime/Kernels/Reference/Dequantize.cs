using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// DEQUANTIZE int8/int16 -> float32. Follows TFLM reference_ops::Dequantize
    /// (reference/dequantize.h): out = (float)((double)scale * (x - zero_point)).
    /// </summary>
    /// <remarks>
    /// The double product of a float32 scale and an integer below 2^17 is exact, so the result is
    /// the float32 nearest to the exact product (ties to even). Mote computes exactly that in
    /// integer arithmetic, so the bytes are the same on a device without an FPU or with a
    /// non-IEEE float path: no floating point is used at all.
    /// </remarks>
    public static class Dequantize
    {
        public static void Eval(DequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            bool int16 = p.InputType == DataType.Int16;
            int o = outputStart;
            for (int i = 0; i < p.Size; i++)
            {
                int x = int16
                    ? (short)(input[inputStart + 2 * i] | (input[inputStart + 2 * i + 1] << 8))
                    : (sbyte)input[inputStart + i];
                int bits = MultiplyToFloatBits(x - p.ZeroPoint, p.ScaleSignificand, p.ScaleExponent);
                output[o] = (byte)bits;
                output[o + 1] = (byte)(bits >> 8);
                output[o + 2] = (byte)(bits >> 16);
                output[o + 3] = (byte)(bits >> 24);
                o += 4;
            }
        }

        /// <summary>
        /// The IEEE-754 binary32 bits of k * significand * 2^exponent rounded to nearest, ties to
        /// even (with |k| &lt; 2^31, 0 &lt;= significand &lt; 2^24, exponent >= -149 so the scale
        /// is a float32). Zero gives +0 (as the C++ product of a positive scale and 0 does);
        /// overflow gives infinity.
        /// </summary>
        public static int MultiplyToFloatBits(int k, int significand, int exponent)
        {
            long magnitude = (long)(k < 0 ? -(long)k : k) * significand;
            if (magnitude == 0) return 0;
            int sign = k < 0 ? unchecked((int)0x80000000) : 0;
            int top = 63;
            while ((magnitude >> top) == 0) top--;
            // Quantum (weight of the last significand bit) of the result: 24 significant bits,
            // but never below the smallest subnormal's 2^-149.
            int quantum = top + exponent - 23;
            if (quantum < -149) quantum = -149;
            long m;
            int shift = quantum - exponent;
            if (shift > 0)
            {
                m = magnitude >> shift;
                long rest = magnitude & ((1L << shift) - 1);
                long half = 1L << (shift - 1);
                if (rest > half || (rest == half && (m & 1) != 0)) m++;
            }
            else
            {
                m = magnitude << -shift;
            }
            if (m >= (1L << 24))
            {
                // Rounding carried into a 25th bit: m is exactly 2^24.
                m >>= 1;
                quantum++;
            }
            if (m < (1L << 23)) return sign | (int)m; // subnormal (quantum is -149)
            int biased = quantum + 150;
            if (biased >= 255) return sign | 0x7F800000;
            return sign | (biased << 23) | (int)(m & 0x7FFFFF);
        }
    }
}

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_FILTER_BANK_SQUARE_ROOT (TFLM signal/src/filter_bank_square_root.cc, square_root_32/64.cc):
    /// out[i] = Sqrt64(in[i]) >> scale_bits, where Sqrt is the bit-by-bit integer square root rounded
    /// up when the remainder exceeds the root (saturating at 0xFFFF / 0xFFFFFFFF) and scale_bits is
    /// input 1's int32 scalar (shift count taken mod 32, as the x86/Arm shift instructions do).
    /// </summary>
    public static class SignalFilterBankSquareRoot
    {
        public static void Eval(SignalSquareRootParams p, byte[] input, int inputStart, byte[] scaleBits, int scaleStart,
            byte[] output, int outputStart)
        {
            int shift = ElementBytes.ReadInt32(scaleBits, scaleStart) & 31;
            for (int i = 0; i < p.Count; i++)
            {
                uint root = Sqrt64(ElementBytes.ReadUInt64(input, inputStart + 8 * i));
                ElementBytes.WriteUInt32(output, outputStart + 4 * i, root >> shift);
            }
        }

        /// <summary>TFLM's Sqrt32: the integer square root of num, plus 1 when the remainder exceeds it (at most 0xFFFF).</summary>
        public static uint Sqrt32(uint num)
        {
            if (num == 0) return 0;
            uint res = 0;
            int maxBit = (32 - ElementBytes.MostSignificantBit32(num)) | 1;
            uint bit = 1u << (31 - maxBit);
            int iterations = (31 - maxBit) / 2 + 1;
            while (iterations-- > 0)
            {
                if (num >= res + bit)
                {
                    num -= res + bit;
                    res = (res >> 1) + bit;
                }
                else
                {
                    res >>= 1;
                }
                bit >>= 2;
            }
            if (num > res && res != 0xFFFF) ++res;
            return res;
        }

        /// <summary>TFLM's Sqrt64: as <see cref="Sqrt32"/> for 64-bit num (at most 0xFFFFFFFF).</summary>
        public static uint Sqrt64(ulong num)
        {
            if ((num >> 32) == 0) return Sqrt32((uint)num);
            ulong res = 0;
            int maxBit = (64 - ElementBytes.MostSignificantBit64(num)) | 1;
            ulong bit = 1UL << (63 - maxBit);
            int iterations = (63 - maxBit) / 2 + 1;
            while (iterations-- > 0)
            {
                if (num >= res + bit)
                {
                    num -= res + bit;
                    res = (res >> 1) + bit;
                }
                else
                {
                    res >>= 1;
                }
                bit >>= 2;
            }
            if (num > res && res != 0xFFFFFFFFUL) ++res;
            return unchecked((uint)res);
        }
    }
}

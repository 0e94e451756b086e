namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_FILTER_BANK_LOG (TFLM signal/src/filter_bank_log.cc and log.cc): x = in &lt;&lt; CorrectionBits
    /// (uint32); for x &gt; 1, log2 in Q16 (integer part from the bit count, fraction from a 128-segment
    /// correction table with linear interpolation), times ln 2 (45426 / 2^16) with rounding, times
    /// OutputScale with rounding (a uint32 product, wrapping like TFLM's), capped at 32767; else 0.
    /// </summary>
    public static class SignalFilterBankLog
    {
        // log2(1 + f) - f over 128 segments of f in [0, 1), Q16 (the table of TFLM's log.cc).
        static readonly ushort[] LogLut =
        {
            0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
            2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
            3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
            5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
            5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
            5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
            5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
            4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
            3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
            2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
            1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
        };

        public static void Eval(SignalLogParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Count; i++)
            {
                uint scaled = ElementBytes.ReadUInt32(input, inputStart + 4 * i) << p.CorrectionBits;
                int v = 0;
                if (scaled > 1)
                {
                    uint log = Log32(scaled, unchecked((uint)p.OutputScale));
                    v = log < 32767u ? (int)log : 32767;
                }
                ElementBytes.WriteInt16(output, outputStart + 2 * i, v);
            }
        }

        /// <summary>Fractional part of log2(x) in Q16, x in [2^log2x, 2^(log2x + 1)).</summary>
        static uint Log2FractionPart32(uint x, int log2x)
        {
            int frac = unchecked((int)(x - (1u << log2x)));
            if (log2x < 16) frac <<= 16 - log2x;
            else frac >>= log2x - 16;
            int baseSeg = frac >> 9;
            int c0 = LogLut[baseSeg];
            int c1 = LogLut[baseSeg + 1];
            int segBase = 512 * baseSeg;
            int relPos = ((c1 - c0) * (frac - segBase)) >> 16;
            return unchecked((uint)(frac + c0 + relPos));
        }

        /// <summary>ln(x) * outScale in Q16 then shifted down (TFLM's Log32), x &gt; 1.</summary>
        public static uint Log32(uint x, uint outScale)
        {
            int integer = ElementBytes.MostSignificantBit32(x) - 1;
            uint fraction = Log2FractionPart32(x, integer);
            uint log2 = unchecked(((uint)integer << 16) + fraction);
            uint loge = unchecked((uint)((45426UL * log2 + 32768UL) >> 16));
            return unchecked(outScale * loge + 32768u) >> 16;
        }
    }
}

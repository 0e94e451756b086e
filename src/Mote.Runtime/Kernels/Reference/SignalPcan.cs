namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_PCAN (TFLM signal/src/pcan_argc_fixed.cc): per-channel energy normalisation. The gain
    /// for noise estimate n comes from the int16 gain table (n &lt;= 2: entry n; else a quadratic in
    /// the 10 bits below n's leading bit, coefficients at 4 * bits(n) - 6), snr = (x * gain) &gt;&gt;
    /// SnrShift in uint64, then the shrink: snr &lt; 2^13 ? snr^2 &gt;&gt; 20 : (snr &gt;&gt; 6) - 64 (uint32, wrapping).
    /// Inputs: filter-bank energies (uint32), noise estimate (uint32), gain table (int16, at least 125 entries).
    /// </summary>
    public static class SignalPcan
    {
        const int SnrBits = 12, OutputBits = 6;

        public static void Eval(SignalPcanParams p, byte[] input, int inputStart, byte[] noise, int noiseStart,
            byte[] lut, int lutStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Count; i++)
            {
                uint x = ElementBytes.ReadUInt32(input, inputStart + 4 * i);
                uint n = ElementBytes.ReadUInt32(noise, noiseStart + 4 * i);
                uint gain = unchecked((uint)WideDynamicFunction(n, lut, lutStart));
                uint snr = unchecked((uint)(((ulong)x * gain) >> p.SnrShift));
                ElementBytes.WriteUInt32(output, outputStart + 4 * i, Shrink(snr));
            }
        }

        static int Lut(byte[] lut, int lutStart, int k) { return ElementBytes.ReadInt16(lut, lutStart + 2 * k); }

        /// <summary>The gain for noise estimate x from the int16 gain table at lut[lutStart] (TFLM's WideDynamicFunction).</summary>
        public static int WideDynamicFunction(uint x, byte[] lut, int lutStart)
        {
            if (x <= 2) return Lut(lut, lutStart, (int)x);
            int interval = ElementBytes.MostSignificantBit32(x);
            int at = 4 * interval - 6;
            int frac = (int)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FF);
            int result = (Lut(lut, lutStart, at + 2) * frac) >> 5;
            result += unchecked((int)((uint)Lut(lut, lutStart, at + 1) << 5));
            result = unchecked(result * frac);
            result = unchecked(result + (1 << 14)) >> 15;
            result += Lut(lut, lutStart, at);
            return (short)result;
        }

        /// <summary>TFLM's PcanShrink: x &lt; 2^13 ? x^2 &gt;&gt; 20 : (x &gt;&gt; 6) - 64, in uint32.</summary>
        public static uint Shrink(uint x)
        {
            if (x < (2u << SnrBits)) return (x * x) >> (2 + 2 * SnrBits - OutputBits);
            return unchecked((x >> (SnrBits - OutputBits)) - (1u << OutputBits));
        }
    }
}

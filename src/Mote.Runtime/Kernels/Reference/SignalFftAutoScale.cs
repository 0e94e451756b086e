namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_FFT_AUTO_SCALE (TFLM signal/src/fft_auto_scale.cc): s = 15 - bits(max |x|) (at least 0),
    /// out[i] = (int16)(x[i] * 2^s), and s into output 1. As in TFLM, the largest magnitude is kept in
    /// int16 (|-32768| stays -32768, whose uint32 bit count is 32) and an all-zero frame counts 32
    /// bits (GCC's branch of MostSignificantBit32): both give s = 0.
    /// </summary>
    public static class SignalFftAutoScale
    {
        public static void Eval(SignalFftAutoScaleParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            short max = 0;
            for (int i = 0; i < p.Count; i++)
            {
                int v = ElementBytes.ReadInt16(input, inputStart + 2 * i);
                if (v > max) max = (short)v;
                else if (-v > max) max = unchecked((short)(-v));
            }
            int scale = 16 - ElementBytes.MostSignificantBit32(unchecked((uint)max)) - 1;
            if (scale <= 0) scale = 0;
            for (int i = 0; i < p.Count; i++)
            {
                int v = ElementBytes.ReadInt16(input, inputStart + 2 * i);
                ElementBytes.WriteInt16(output, outputStart + 2 * i, v << scale);
            }
            ElementBytes.WriteInt32(output, p.ScaleStart, scale);
        }
    }
}

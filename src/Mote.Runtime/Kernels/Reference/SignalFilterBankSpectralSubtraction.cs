namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION (TFLM signal/src/filter_bank_spectral_subtraction.cc):
    /// per channel, the noise estimate n (uint32 state; even channels use Smoothing, odd ones the
    /// alternate coefficients) becomes ((s &lt;&lt; SmoothingBits) * smoothing + n * (1 - smoothing)) &gt;&gt;
    /// SpectralSubtractionBits in uint64, the signal minus the estimate (never below 0, and with
    /// Clamping the estimate itself clamped) shifted back, and the output is that or the floor
    /// s * MinSignalRemaining &gt;&gt; SpectralSubtractionBits, whichever is larger. TFLM keeps the estimate
    /// in the kernel and copies it to output 1; Mote keeps it in output 1, a variable tensor that
    /// persists across invokes and is zeroed by ResetState (TFLM's Reset).
    /// </summary>
    public static class SignalFilterBankSpectralSubtraction
    {
        public static void Eval(SignalSpectralSubtractionParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.NumChannels; i++)
            {
                uint smoothing = (i & 1) == 0 ? p.Smoothing : p.AlternateSmoothing;
                uint oneMinus = (i & 1) == 0 ? p.OneMinusSmoothing : p.AlternateOneMinusSmoothing;
                uint x = ElementBytes.ReadUInt32(input, inputStart + 4 * i);
                int noiseAt = p.NoiseStart + 4 * i;
                uint noise = ElementBytes.ReadUInt32(output, noiseAt);
                uint signalUp = x << p.SmoothingBits;
                noise = unchecked((uint)(((ulong)signalUp * smoothing + (ulong)noise * oneMinus) >> p.SpectralSubtractionBits));
                uint estimateUp = noise;
                if (estimateUp > signalUp)
                {
                    estimateUp = signalUp;
                    if (p.Clamping) noise = estimateUp;
                }
                ElementBytes.WriteUInt32(output, noiseAt, noise);
                uint floor = unchecked((uint)(((ulong)x * p.MinSignalRemaining) >> p.SpectralSubtractionBits));
                uint subtracted = (signalUp - estimateUp) >> p.SmoothingBits;
                ElementBytes.WriteUInt32(output, outputStart + 4 * i, subtracted > floor ? subtracted : floor);
            }
        }
    }
}

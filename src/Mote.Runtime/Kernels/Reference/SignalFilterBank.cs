namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_FILTER_BANK (TFLM signal/src/filter_bank.cc): for channel i in 0..NumChannels, sums
    /// weights[ws + j] * in[fs + j] and unweights[ws + j] * in[fs + j] over j in [0, width) in uint64
    /// (the int16 weight converted to uint64 as C does); channel i's output is its weighted sum plus
    /// the previous channel's unweighted sum. Channel 0 only feeds channel 1 and is dropped.
    /// Inputs: energies (uint32), weights, unweights, channel frequency starts, channel weight
    /// starts, channel widths (int16; Model.Load checked every index against the arrays).
    /// </summary>
    public static class SignalFilterBank
    {
        public static void Eval(SignalFilterBankParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            byte[] input = inputs[0], weights = inputs[1], unweights = inputs[2], freqStarts = inputs[3], weightStarts = inputs[4], widths = inputs[5];
            int inputAt = starts[0], wAt = starts[1], uAt = starts[2], fsAt = starts[3], wsAt = starts[4], widthAt = starts[5];
            // Channel i's output is its weighted sum plus channel i - 1's unweighted sum (TFLM starts each
            // channel's weighted accumulator from the previous unweighted one); channel 0 is only carried.
            ulong carry = 0;
            for (int i = 0; i <= p.NumChannels; i++)
            {
                int fs = ElementBytes.ReadInt16(freqStarts, fsAt + 2 * i);
                int ws = ElementBytes.ReadInt16(weightStarts, wsAt + 2 * i);
                int width = ElementBytes.ReadInt16(widths, widthAt + 2 * i);
                ulong weighted = carry, unweighted = 0;
                for (int j = 0; j < width; j++)
                {
                    ulong x = ElementBytes.ReadUInt32(input, inputAt + 4 * (fs + j));
                    ulong w = unchecked((ulong)(long)ElementBytes.ReadInt16(weights, wAt + 2 * (ws + j)));
                    ulong u = unchecked((ulong)(long)ElementBytes.ReadInt16(unweights, uAt + 2 * (ws + j)));
                    weighted = unchecked(weighted + w * x);
                    unweighted = unchecked(unweighted + u * x);
                }
                if (i > 0) ElementBytes.WriteUInt64(output, outputStart + 8 * (i - 1), weighted);
                carry = unweighted;
            }
        }
    }
}

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_ENERGY (TFLM signal/src/energy.cc): out[k] = re[k]^2 + im[k]^2 (int32 products, the sum
    /// as uint32) for k in [Start, End). TFLM leaves the other elements as they were; Mote writes 0
    /// there (what TFLM's freshly zeroed tensors show), so the output never depends on arena history.
    /// </summary>
    public static class SignalEnergy
    {
        public static void Eval(SignalEnergyParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int k = 0; k < p.Count; k++)
            {
                uint e = 0;
                if (k >= p.Start && k < p.End)
                {
                    int re = ElementBytes.ReadInt16(input, inputStart + 4 * k);
                    int im = ElementBytes.ReadInt16(input, inputStart + 4 * k + 2);
                    e = unchecked((uint)(re * re) + (uint)(im * im));
                }
                ElementBytes.WriteUInt32(output, outputStart + 4 * k, e);
            }
        }
    }
}

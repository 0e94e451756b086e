namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_WINDOW (TFLM signal/src/window.cc): out[i] = saturate_int16((in[i] * w[i % W]) >> Shift),
    /// the shift arithmetic on the int32 product, frame by frame over the flattened input.
    /// </summary>
    public static class SignalWindow
    {
        public static void Eval(SignalWindowParams p, byte[] input, int inputStart, byte[] window, int windowStart,
            byte[] output, int outputStart)
        {
            for (int frame = 0; frame < p.InputSize; frame += p.WindowSize)
            {
                for (int i = 0; i < p.WindowSize; i++)
                {
                    int x = ElementBytes.ReadInt16(input, inputStart + 2 * (frame + i));
                    int w = ElementBytes.ReadInt16(window, windowStart + 2 * i);
                    int raw = (x * w) >> p.Shift;
                    if (raw < -32768) raw = -32768;
                    else if (raw > 32767) raw = 32767;
                    ElementBytes.WriteInt16(output, outputStart + 2 * (frame + i), raw);
                }
            }
        }
    }
}

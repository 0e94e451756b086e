namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// ADD, int16 activations. Follows TFLM's int16 path of micro/kernels/add.cc:
    /// reference_ops::Add(..., pot_scale = false) = AddGeneralParamScale, i.e. AddElementwise,
    /// and BroadcastAdd4DSlow when shapes differ. The element operation is int8's
    /// (<see cref="Add"/>: rescale both inputs to twice the larger input scale, sum, requantize)
    /// with TFLM's left shift of 15 instead of 20 (65535 * 2^15 &lt; 2^31, so the shifted
    /// inputs fit an int32), and the result is clamped to the activation range inside
    /// [-32768, 32767]. TFLM micro always takes this general path for int16; the desktop TFLite
    /// power-of-two shortcut (saturating Q0.15 add) is never used.
    /// </summary>
    public static class AddInt16
    {
        /// <summary>
        /// As <see cref="Add.Eval"/>, with every element 2 bytes little-endian (starts are byte
        /// positions; FlatSize and shapes count elements).
        /// </summary>
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    int v = Add.AddOne(p, Int16At(input1, input1Start + 2 * i), Int16At(input2, input2Start + 2 * i));
                    int o = outputStart + 2 * i;
                    output[o] = (byte)v;
                    output[o + 1] = (byte)(v >> 8);
                }
                return;
            }

            int[] so = p.OutputShape;
            Broadcast4D.Strides(p.Input1Shape, out int st1D0, out int st1D1, out int st1D2, out int st1D3);
            Broadcast4D.Strides(p.Input2Shape, out int st2D0, out int st2D1, out int st2D2, out int st2D3);

            int at = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
            {
                for (int d1 = 0; d1 < so[1]; d1++)
                {
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        int i1 = d0 * st1D0 + d1 * st1D1 + d2 * st1D2;
                        int i2 = d0 * st2D0 + d1 * st2D1 + d2 * st2D2;
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            int v = Add.AddOne(p, Int16At(input1, input1Start + 2 * (i1 + d3 * st1D3)),
                                Int16At(input2, input2Start + 2 * (i2 + d3 * st2D3)));
                            output[at] = (byte)v;
                            output[at + 1] = (byte)(v >> 8);
                            at += 2;
                        }
                    }
                }
            }
        }

        /// <summary>The little-endian int16 at byte position <paramref name="at"/>.</summary>
        internal static int Int16At(byte[] b, int at)
        {
            return (short)(b[at] | (b[at + 1] << 8));
        }
    }
}

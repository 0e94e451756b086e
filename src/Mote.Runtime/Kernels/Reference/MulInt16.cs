namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// MUL, int16 activations. Follows TFLM's int16 path of micro/kernels/mul_common.cc
    /// (EvalMulQuantizedReference): reference_integer_ops::Mul&lt;int16_t&gt; (MulElementwise) and
    /// BroadcastMul4DSlow&lt;int16_t&gt; when shapes differ. The element operation is int8's
    /// (<see cref="Mul"/>): product of the offset inputs, MultiplyByQuantizedMultiplier, output
    /// offset, clamp to the activation range (inside [-32768, 32767]). TFLM requires all three
    /// zero points to be 0 for int16, so the product is at most 2^30 in magnitude.
    /// </summary>
    public static class MulInt16
    {
        /// <summary>As <see cref="Mul.Eval"/> with 2-byte little-endian elements (starts are byte positions).</summary>
        public static void Eval(MulParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    int v = Mul.MulOne(p, AddInt16.Int16At(input1, input1Start + 2 * i), AddInt16.Int16At(input2, input2Start + 2 * i));
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
                            int v = Mul.MulOne(p, AddInt16.Int16At(input1, input1Start + 2 * (i1 + d3 * st1D3)),
                                AddInt16.Int16At(input2, input2Start + 2 * (i2 + d3 * st2D3)));
                            output[at] = (byte)v;
                            output[at + 1] = (byte)(v >> 8);
                            at += 2;
                        }
                    }
                }
            }
        }
    }
}

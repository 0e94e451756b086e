namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// TRANSPOSE, any element type (a byte gather). Follows TFLM reference_ops::Transpose
    /// (reference/transpose.h): the output is written in row-major order and output dimension k
    /// walks input dimension perm[k].
    /// </summary>
    public static class Transpose
    {
        /// <summary>
        /// Shapes extended to 5-D: output[i0..i4] = input at element offset
        /// sum_k i_k * InputStrides[k], where InputStrides[k] is the input stride of dimension perm[k].
        /// </summary>
        public static void Eval(TransposeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int[] so = p.OutputShape;
            int[] st = p.InputStrides;
            int es = p.ElementSize;
            int s0 = st[0] * es, s1 = st[1] * es, s2 = st[2] * es, s3 = st[3] * es, s4 = st[4] * es;
            int o = outputStart;
            for (int i0 = 0, a0 = inputStart; i0 < so[0]; i0++, a0 += s0)
                for (int i1 = 0, a1 = a0; i1 < so[1]; i1++, a1 += s1)
                    for (int i2 = 0, a2 = a1; i2 < so[2]; i2++, a2 += s2)
                        for (int i3 = 0, a3 = a2; i3 < so[3]; i3++, a3 += s3)
                        {
                            if (es == 1)
                            {
                                for (int i4 = 0, a4 = a3; i4 < so[4]; i4++, a4 += s4) output[o++] = input[a4];
                            }
                            else
                            {
                                for (int i4 = 0, a4 = a3; i4 < so[4]; i4++, a4 += s4)
                                    for (int b = 0; b < es; b++) output[o++] = input[a4 + b];
                            }
                        }
        }
    }
}

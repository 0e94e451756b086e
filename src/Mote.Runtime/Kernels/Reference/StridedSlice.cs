using System;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// STRIDED_SLICE, any element type (a byte gather). Follows TFLM reference_ops::StridedSlice
    /// (reference/strided_slice.h, the 5-D loop TFLM runs): the packer resolves begin, end,
    /// strides and the masks into a start, a count and a step per axis (strided_slice_logic.h),
    /// so the kernel only walks them; output elements are written in row-major order.
    /// </summary>
    public static class StridedSlice
    {
        public static void Eval(StridedSliceParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int[] start = p.Start, count = p.Count, step = p.Step, st = p.InputStrides;
            int es = p.ElementSize;
            int s0 = step[0] * st[0] * es, s1 = step[1] * st[1] * es, s2 = step[2] * st[2] * es,
                s3 = step[3] * st[3] * es, s4 = step[4] * es;
            int first = inputStart + es * (start[0] * st[0] + start[1] * st[1] + start[2] * st[2] + start[3] * st[3] + start[4]);
            int o = outputStart;
            bool contiguous = step[4] == 1;
            int run = count[4] * es;
            for (int i0 = 0, a0 = first; i0 < count[0]; i0++, a0 += s0)
                for (int i1 = 0, a1 = a0; i1 < count[1]; i1++, a1 += s1)
                    for (int i2 = 0, a2 = a1; i2 < count[2]; i2++, a2 += s2)
                        for (int i3 = 0, a3 = a2; i3 < count[3]; i3++, a3 += s3)
                        {
                            if (contiguous)
                            {
                                Array.Copy(input, a3, output, o, run);
                                o += run;
                            }
                            else
                            {
                                for (int i4 = 0, a4 = a3; i4 < count[4]; i4++, a4 += s4)
                                    for (int b = 0; b < es; b++) output[o++] = input[a4 + b];
                            }
                        }
        }
    }
}

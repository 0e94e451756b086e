using System;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// STRIDED_SLICE, any element size, bit-exact with <see cref="Reference.StridedSlice"/> (a gather in row-major
    /// output order). When the innermost step is 1 the innermost run is contiguous; it then absorbs every outer axis
    /// that continues it (step 1 and the run spanning exactly that axis's input stride), and axes taking one index
    /// drop out, so a slice along an outer axis becomes one block copy per remaining outer index (often one in all).
    /// Other steps gather element by element (2- and 4-byte elements as single loads). Partially aliased buffers
    /// run the reference kernel.
    /// </summary>
    public static unsafe class StridedSlice
    {
        public static void Eval(StridedSliceParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // No hardware choice: block copies (the runtime's memmove picks its own vector width).
            int[] start = p.Start, count = p.Count, step = p.Step, st = p.InputStrides;
            int es = p.ElementSize;
            long outElems = 1, lo = 0, hi = 0;
            bool ok = es > 0 && start != null && count != null && step != null && st != null
                && start.Length == 5 && count.Length == 5 && step.Length == 5 && st.Length >= 4;
            for (int k = 0; ok && k < 5; k++)
            {
                if (count[k] < 0) { ok = false; break; }
                outElems *= count[k];
                long stride = k < 4 ? (long)st[k] : 1, span = (long)(count[k] > 0 ? count[k] - 1 : 0) * step[k] * stride;
                if (span < 0) lo += span; else hi += span;
            }
            if (!ok || outElems * es > int.MaxValue) { Reference.StridedSlice.Eval(p, input, inputStart, output, outputStart); return; }
            if (outElems == 0) return;
            long first = inputStart + (long)es * ((long)start[0] * st[0] + (long)start[1] * st[1] + (long)start[2] * st[2] + (long)start[3] * st[3] + start[4]);
            long readLo = first + lo * es, readHi = first + (hi + 1) * es;
            if (!Alias.InBounds(input, readLo, readHi - readLo) || !Alias.InBounds(output, outputStart, outElems * es)
                || Alias.Hazard(input, (int)readLo, (int)(readHi - readLo), output, outputStart, (int)(outElems * es), false))
            {
                Reference.StridedSlice.Eval(p, input, inputStart, output, outputStart);
                return;
            }

            // Outer loops (count, input byte stride), innermost last; unused levels are (1, 0).
            int* cnt = stackalloc int[4], stp = stackalloc int[4];
            for (int k = 0; k < 4; k++) { cnt[k] = 1; stp[k] = 0; }
            int run; // innermost: contiguous run bytes, or -1 for a gather
            int axis = 3;
            if (step[4] == 1)
            {
                int elems = count[4];
                for (; axis >= 0; axis--)
                {
                    if (count[axis] == 1) continue;
                    if (step[axis] == 1 && elems == st[axis]) { elems *= count[axis]; continue; }
                    break;
                }
                run = elems * es;
            }
            else run = -1;
            int levels = 0;
            int* axes = stackalloc int[4];
            for (int k = 0; k <= axis; k++)
                if (count[k] != 1) axes[levels++] = k;
            for (int j = 0; j < levels; j++)
            {
                cnt[4 - levels + j] = count[axes[j]];
                stp[4 - levels + j] = step[axes[j]] * st[axes[j]] * es;
            }

            fixed (byte* i0 = input, o0 = output)
            {
                byte* o = o0 + outputStart;
                byte* a = i0 + first;
                int n4 = count[4], s4 = step[4] * es;
                for (int i = 0; i < cnt[0]; i++)
                    for (int j = 0; j < cnt[1]; j++)
                        for (int k = 0; k < cnt[2]; k++)
                            for (int m = 0; m < cnt[3]; m++)
                            {
                                byte* src = a + (long)i * stp[0] + (long)j * stp[1] + (long)k * stp[2] + (long)m * stp[3];
                                if (run >= 0)
                                {
                                    Buffer.MemoryCopy(src, o, run, run);
                                    o += run;
                                }
                                else o = Gather(src, o, n4, s4, es);
                            }
            }
        }

        static byte* Gather(byte* src, byte* o, int n, int stride, int es)
        {
            if (es == 2)
                for (int i = 0; i < n; i++, o += 2, src += stride) *(short*)o = *(short*)src;
            else if (es == 4)
                for (int i = 0; i < n; i++, o += 4, src += stride) *(int*)o = *(int*)src;
            else if (es == 1)
                for (int i = 0; i < n; i++, o++, src += stride) *o = *src;
            else
                for (int i = 0; i < n; i++, src += stride)
                    for (int b = 0; b < es; b++) *o++ = src[b];
            return o;
        }
    }
}

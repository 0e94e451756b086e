using System;
using System.Runtime.CompilerServices;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// PAD / PADV2 int8 and int16, bit-exact with <see cref="Reference.Pad"/> (TFLM PadImpl: input bytes copied unchanged,
    /// every new element PadValue). Block copies instead of an element walk: trailing dimensions without padding are
    /// merged into the dimension before them (their rows are contiguous in both tensors), then each level writes its
    /// left padding as one fill (a whole padded slab of the inner dimensions is contiguous in the output), its
    /// input rows, and its right padding; the innermost level copies one run with a block copy. Fills are
    /// <c>InitBlock</c> (int8, or int16 with equal bytes) or a vectorized <c>Span.Fill</c> (int16).
    /// Other element sizes, negative or inconsistent paddings and partially aliased buffers run the reference kernel.
    /// </summary>
    public static unsafe class Pad
    {
        public static void Eval(PadParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // No hardware choice: block copies and fills (the runtime's memmove/fill pick their own vector width).
            int es = p.ElementSize;
            int[] so = p.OutputShape, l = p.LeftPadding, r = p.RightPadding;
            long outElems = 1, inElems = 1;
            bool ok = (es == 1 || es == 2) && so != null && l != null && r != null && so.Length == 5 && l.Length == 5 && r.Length == 5;
            for (int k = 0; ok && k < 5; k++)
            {
                if (l[k] < 0 || r[k] < 0 || so[k] < 0 || (long)l[k] + r[k] > so[k]) ok = false;
                else { outElems *= so[k]; inElems *= so[k] - l[k] - r[k]; }
            }
            if (!ok || outElems * es > int.MaxValue
                || !Alias.InBounds(input, inputStart, inElems * es) || !Alias.InBounds(output, outputStart, outElems * es)
                || Alias.Hazard(input, inputStart, (int)(inElems * es), output, outputStart, (int)(outElems * es), true))
            {
                Reference.Pad.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            if (outElems == 0) return;

            // Merge each unpadded trailing dimension into the one before it: level arrays, outermost first.
            int* ext = stackalloc int[5], left = stackalloc int[5], right = stackalloc int[5];
            int levels = 0;
            int e = so[4], lp = l[4], rp = r[4];
            for (int k = 3; k >= 0; k--)
            {
                if (lp == 0 && rp == 0) { lp = l[k] * e; rp = r[k] * e; e *= so[k]; }
                else
                {
                    ext[levels] = e; left[levels] = lp; right[levels] = rp; levels++;
                    e = so[k]; lp = l[k]; rp = r[k];
                }
            }
            ext[levels] = e; left[levels] = lp; right[levels] = rp; levels++;
            // Reverse to outermost-first.
            for (int a = 0, b = levels - 1; a < b; a++, b--)
            {
                int t = ext[a]; ext[a] = ext[b]; ext[b] = t;
                t = left[a]; left[a] = left[b]; left[b] = t;
                t = right[a]; right[a] = right[b]; right[b] = t;
            }
            // Output elements per index of each level.
            int* inner = stackalloc int[5];
            inner[levels - 1] = 1;
            for (int k = levels - 2; k >= 0; k--) inner[k] = inner[k + 1] * ext[k + 1];

            fixed (byte* i0 = input, o0 = output)
            {
                var w = new Walker { Ext = ext, Left = left, Right = right, Inner = inner, Levels = levels, Es = es, Value = p.PadValue };
                byte* src = i0 + inputStart;
                w.Level(0, ref src, o0 + outputStart);
            }
        }

        struct Walker
        {
            public int* Ext, Left, Right, Inner;
            public int Levels, Es, Value;

            /// <summary>Writes level <paramref name="k"/>'s block at <paramref name="dst"/>, reading the input in order from <paramref name="src"/>.</summary>
            public void Level(int k, ref byte* src, byte* dst)
            {
                int unit = Inner[k] * Es;
                int body = Ext[k] - Left[k] - Right[k];
                Fill(dst, Left[k] * Inner[k]);
                dst += Left[k] * unit;
                if (k == Levels - 1)
                {
                    int bytes = body * Es;
                    Buffer.MemoryCopy(src, dst, bytes, bytes);
                    src += bytes;
                }
                else
                {
                    for (int i = 0; i < body; i++) Level(k + 1, ref src, dst + i * unit);
                }
                Fill(dst + body * unit, Right[k] * Inner[k]);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            void Fill(byte* dst, int elements)
            {
                if (elements <= 0) return;
                if (Es == 1) Unsafe.InitBlockUnaligned(dst, (byte)Value, (uint)elements);
                else if ((byte)Value == (byte)(Value >> 8)) Unsafe.InitBlockUnaligned(dst, (byte)Value, (uint)(2 * elements));
                else new Span<short>(dst, elements).Fill((short)Value);
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

// AvxVnni is marked [RequiresPreviewFeatures] in the net8.0 reference assembly only; the JIT treats it as any ISA class.
#pragma warning disable CA2252

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// FULLY_CONNECTED, bit-exact with <see cref="Reference.FullyConnected"/> (same name, signature
    /// and contract: input int8 [Batches, AccumDepth], filter int8 [OutputDepth, AccumDepth],
    /// output int8 [Batches, OutputDepth]). On x64 with AVX2, <see cref="EvalRows8"/>: 8 output
    /// channels per ymm, 8-lane requantization; elsewhere one 4-row dot per 4 output channels and
    /// 4-lane requantization. A non-zero FilterOffset (never produced by TFLite's symmetric int8
    /// weights) runs the reference kernel.
    /// </summary>
    public static unsafe class FullyConnected
    {
        /// <summary>Largest OutputDepth with a SIMD path (requantization table on the stack: 20 bytes per channel).</summary>
        public const int MaxChannels = 2048;

        public static void Eval(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int n = p.AccumDepth; // the dot length
            // Hardware path, chosen here and only here: a 4-output-channel dot (input loaded once) and,
            // for the last OutputDepth % 4 channels, the one-channel leaf.
            delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4 =
                Dp.IsSupported ? &DotLeaf.Dot4Sdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.Dot4Smull          // ARMv8.0 NEON (Pi 4)
                : AvxVnni.IsSupported && n >= 64 ? &DotLeaf.Dot4AvxVnni   // x64 AVX-VNNI vpdpbusd (pays from n = 64: docs/simd.md)
                : Avx2.IsSupported && n >= 16 ? &DotLeaf.Dot4Avx2         // x64 AVX2 vpmaddwd (pays from n = 16)
                : Sse41.IsSupported ? &DotLeaf.Dot4Sse41                  // x64 SSE4.1 pmaddwd
                : Vector128.IsHardwareAccelerated ? &DotLeaf.Dot4Vector128 // other Vector128 hardware
                : null;
            delegate*<sbyte*, sbyte*, int, int, int> dot =
                Dp.IsSupported ? &DotLeaf.DotSdot : AdvSimd.Arm64.IsSupported ? &DotLeaf.DotSmull : &DotLeaf.DotVector128;
            int outDepth = p.OutputDepth;
            if (dot4 == null || p.FilterOffset != 0 || !DotLeaf.OffsetSupported(p.InputOffset) || outDepth > MaxChannels)
            {
                Reference.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            // x64 with AVX2: 8 output channels per ymm, rows read in place (FC weights are used once per
            // batch row: packing them per call would cost as much as the dot), 8-lane requantization.
            // Layers with fewer than 4 output channels and a short dot (hello_world's 16 -> 1) run the
            // reference kernel: the 8-lane form would waste most lanes and its setup (measured: docs/simd.md).
            if (Avx2.IsSupported && outDepth < TinyOutputs && n <= TinyDepth)
            {
                Reference.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }
            if (Avx2.IsSupported && n >= 1 && n <= MaxRowDepth)
            {
                EvalRows8(p, AvxVnni.IsSupported && n >= VnniMinDepth, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int depth = p.AccumDepth, inputOffset = p.InputOffset;
            int* table = stackalloc int[Requant.TableInts(outDepth)];
            Requant.Build(table, outDepth, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector128<int> outOff = Vector128.Create(p.OutputOffset), min = Vector128.Create(p.ActivationMin), max = Vector128.Create(p.ActivationMax);
            if (p.Batches > 0 && outDepth > 0)
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* x = (sbyte*)inBytes + inputStart + b * depth;
                    byte* o = outBytes + outputStart + b * outDepth;
                    int oc = 0;
                    for (; oc + 4 <= outDepth; oc += 4)
                        Requant.Store(Requant.Apply(dot4(x, flt + oc * depth, depth, depth, inputOffset), table + oc / 4 * Requant.IntsPerBlock, outOff, min, max), o + oc, 4);
                    if (oc < outDepth)
                    {
                        int rem = outDepth - oc;
                        sbyte* f = flt + oc * depth;
                        Vector128<int> s = Vector128.Create(dot(x, f, depth, inputOffset),
                            rem > 1 ? dot(x, f + depth, depth, inputOffset) : 0, rem > 2 ? dot(x, f + 2 * depth, depth, inputOffset) : 0, 0);
                        Requant.Store(Requant.Apply(s, table + oc / 4 * Requant.IntsPerBlock, outOff, min, max), o + oc, outDepth - oc);
                    }
                }
            }
        }
            /// <summary>Largest AccumDepth for <see cref="EvalRows8"/> (the prepared input row on the stack: 2 bytes per input).</summary>
        public const int MaxRowDepth = 16 * 1024;

        /// <summary>x64: fewer output channels than this with AccumDepth ≤ <see cref="TinyDepth"/> run the reference kernel.</summary>
        public const int TinyOutputs = 4;

        /// <summary>See <see cref="TinyOutputs"/>.</summary>
        public const int TinyDepth = 64;

        /// <summary>Smallest AccumDepth for the AVX-VNNI form of <see cref="EvalRows8"/> (below it, the AVX2 form).</summary>
        public const int VnniMinDepth = 32;

        /// <summary>
        /// FULLY_CONNECTED on x64 (AVX2, n = AccumDepth ≥ 16): per batch row the input is prepared once on
        /// the stack — with AVX-VNNI its sign bit flipped (x + 128 as u8), otherwise x + InputOffset as
        /// int16 — and per block of 8 output channels 8 ymm accumulators take 32 (VNNI: vpdpbusd) or 16
        /// (AVX2: vpmovsxbw + vpmaddwd) inputs per step straight from the 8 filter rows. The last n % step
        /// inputs: one more step on the last `step` bytes of each row against a copy of the prepared input
        /// whose already-counted part is zero. One reduction per block (vphaddd tree, 8 sums in one ymm)
        /// and 8-lane requantization. VNNI: Σ w·(x + offset) = Σ w·(x + 128) + (offset − 128)·Σ w, Σ w by
        /// the same loop against ones (skipped when offset = 128). Rows past OutputDepth repeat the last row
        /// (their lanes are not stored).
        /// </summary>
        static void EvalRows8(FullyConnectedParams p, bool vnni, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            int n = p.AccumDepth, outDepth = p.OutputDepth, offset = p.InputOffset;
            int step = vnni ? 32 : 16, full = n - n % step;
            Vector256<int> outOff = Vector256.Create(p.OutputOffset), min = Vector256.Create(p.ActivationMin), max = Vector256.Create(p.ActivationMax);
            bool small = n < 16; // AVX2 form, one step: rows read 16 bytes from their start (x zero past n)
            byte* xs = stackalloc byte[vnni ? n : 2 * n];
            // Rows whose 16-byte read would pass the filter's end (n < 16 only) come from a zero-padded copy.
            int safeRows = !small ? outDepth : outDepth * n >= 16 ? (outDepth * n - 16) / n + 1 : 0;
            sbyte* tailCopy = stackalloc sbyte[64];
            byte* xt = stackalloc byte[32];   // the tail step's input (already-counted part 0)
            byte* ones = stackalloc byte[32]; // VNNI Σw: bytes of 1
            byte* onesT = stackalloc byte[32];
            for (int j = 0; j < 32; j++) { ones[j] = 1; onesT[j] = (byte)(n - 32 + j >= full ? 1 : 0); }
            bool sumW = vnni && offset != 128;
            long scratch = 0;
            int blocks = (outDepth + 7) / 8;
            if (p.Batches <= 0 || outDepth <= 0) return;
            int* raw = stackalloc int[24]; // the last block's bias, multiplier, shift (OutputDepth % 8 channels, the rest 0)
            int stride = p.RequantStride;
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output, biasBytes = bias, quantBytes = quant)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                if (small)
                {
                    for (int j = 0; j < 64; j++) tailCopy[j] = 0;
                    for (int j = safeRows * n; j < outDepth * n; j++) tailCopy[j - safeRows * n] = flt[j];
                }
                int* biasInts = biasStart >= 0 ? (int*)(biasBytes + biasStart) : null;
                int* mults = (int*)(quantBytes + multiplierStart), shifts = (int*)(quantBytes + shiftStart);
                Vector256<int> sharedMult = Vector256.Create(*mults), sharedShift = Vector256.Create(*shifts);
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* x = (sbyte*)inBytes + inputStart + b * n;
                    byte* o = outBytes + outputStart + b * outDepth;
                    if (vnni)
                    {
                        int i = 0;
                        for (; i + 32 <= n; i += 32) Avx.Store(xs + i, Avx.LoadVector256((byte*)x + i) ^ Vector256.Create((byte)0x80));
                        for (; i < n; i++) xs[i] = (byte)(x[i] ^ 0x80);
                        for (int j = 0; j < 32; j++) xt[j] = n - 32 + j >= full ? xs[n - 32 + j] : (byte)0;
                    }
                    else
                    {
                        short* xs16 = (short*)xs;
                        Vector256<short> off16 = Vector256.Create((short)offset);
                        int i = 0;
                        for (; i + 16 <= n; i += 16) Avx.Store(xs16 + i, Avx2.ConvertToVector256Int16(x + i) + off16);
                        for (; i < n; i++) xs16[i] = (short)(x[i] + offset);
                        if (small) for (int j = 0; j < 16; j++) ((short*)xt)[j] = j < n ? xs16[j] : (short)0;
                        else for (int j = 0; j < 16; j++) ((short*)xt)[j] = n - 16 + j >= full ? xs16[n - 16 + j] : (short)0;
                    }
                    for (int cb = 0; cb < blocks; cb++)
                    {
                        int c8 = cb * 8, last = outDepth - 1; // rows past OutputDepth repeat the last row
                        sbyte* w0 = Row(flt, tailCopy, safeRows, n, c8), w1 = Row(flt, tailCopy, safeRows, n, c8 + 1 < last ? c8 + 1 : last);
                        sbyte* w2 = Row(flt, tailCopy, safeRows, n, c8 + 2 < last ? c8 + 2 : last), w3 = Row(flt, tailCopy, safeRows, n, c8 + 3 < last ? c8 + 3 : last);
                        sbyte* w4 = Row(flt, tailCopy, safeRows, n, c8 + 4 < last ? c8 + 4 : last), w5 = Row(flt, tailCopy, safeRows, n, c8 + 5 < last ? c8 + 5 : last);
                        sbyte* w6 = Row(flt, tailCopy, safeRows, n, c8 + 6 < last ? c8 + 6 : last), w7 = Row(flt, tailCopy, safeRows, n, c8 + 7 < last ? c8 + 7 : last);
                        Vector256<int> acc;
                        if (vnni)
                        {
                            acc = Dot8Vnni(xs, -1, xt, full, n, w0, w1, w2, w3, w4, w5, w6, w7);
                            if (sumW) acc += Dot8Vnni(ones, 0, onesT, full, n, w0, w1, w2, w3, w4, w5, w6, w7) * Vector256.Create(offset - 128);
                        }
                        else acc = Dot8Avx2((short*)xs, (short*)xt, full, n, small ? 0 : n - 16, w0, w1, w2, w3, w4, w5, w6, w7);
                        int count = outDepth - cb * 8, c0 = cb * 8;
                        Vector256<int> bv, mv, sv;
                        if (count >= 8)
                        {
                            bv = biasInts != null ? Avx.LoadVector256(biasInts + c0) : Vector256<int>.Zero;
                            mv = stride != 0 ? Avx.LoadVector256(mults + c0) : sharedMult;
                            sv = stride != 0 ? Avx.LoadVector256(shifts + c0) : sharedShift;
                        }
                        else
                        {
                            for (int k = 0; k < 8; k++)
                            {
                                bool on = k < count;
                                raw[k] = on && biasInts != null ? biasInts[c0 + k] : 0;
                                raw[8 + k] = on ? mults[(c0 + k) * stride] : 0;
                                raw[16 + k] = on ? shifts[(c0 + k) * stride] : 0;
                            }
                            bv = Avx.LoadVector256(raw); mv = Avx.LoadVector256(raw + 8); sv = Avx.LoadVector256(raw + 16);
                        }
                        Vector256<int> r = Requant.Apply256Raw(acc, bv, mv, sv, outOff, min, max);
                        if (count >= 8) Requant.Store8(r, o + cb * 8);
                        else
                        {
                            Requant.Store8(r, (byte*)&scratch);
                            for (int k = 0; k < count; k++) o[cb * 8 + k] = ((byte*)&scratch)[k];
                        }
                    }
                }
            }
        }

        /// <summary>Filter row <paramref name="idx"/>: in place, or from the zero-padded copy of the rows from <paramref name="safeRows"/> on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static sbyte* Row(sbyte* flt, sbyte* tailCopy, int safeRows, int n, int idx) =>
            idx < safeRows ? flt + (long)idx * n : tailCopy + (idx - safeRows) * n;

        /// <summary>Lane r = Σ over lanes of a_r (a vphaddd tree and one cross-half add).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Reduce8(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3,
            Vector256<int> a4, Vector256<int> a5, Vector256<int> a6, Vector256<int> a7)
        {
            Vector256<int> lo = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3)); // [r0..r3 | r0..r3] halves
            Vector256<int> hi = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
            return Avx2.Permute2x128(lo, hi, 0x20) + Avx2.Permute2x128(lo, hi, 0x31);
        }

        /// <summary>
        /// 8 rows · the u8 input with vpdpbusd: full steps of 32 read xs + (i &amp; xMask) (xMask 0: the same
        /// 32 bytes every step, for Σ w against ones), then, when n % 32 ≠ 0, the rows' last 32 bytes against xt.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Dot8Vnni(byte* xs, int xMask, byte* xt, int full, int n,
            sbyte* w0, sbyte* w1, sbyte* w2, sbyte* w3, sbyte* w4, sbyte* w5, sbyte* w6, sbyte* w7)
        {
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < full; i += 32)
            {
                Vector256<byte> v = Avx.LoadVector256(xs + (i & xMask));
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, v, Avx.LoadVector256(w0 + i));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, Avx.LoadVector256(w1 + i));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, v, Avx.LoadVector256(w2 + i));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, v, Avx.LoadVector256(w3 + i));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, v, Avx.LoadVector256(w4 + i));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, v, Avx.LoadVector256(w5 + i));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, v, Avx.LoadVector256(w6 + i));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, v, Avx.LoadVector256(w7 + i));
            }
            if (full < n)
            {
                int t = n - 32;
                Vector256<byte> v = Avx.LoadVector256(xt);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, v, Avx.LoadVector256(w0 + t));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, Avx.LoadVector256(w1 + t));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, v, Avx.LoadVector256(w2 + t));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, v, Avx.LoadVector256(w3 + t));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, v, Avx.LoadVector256(w4 + t));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, v, Avx.LoadVector256(w5 + t));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, v, Avx.LoadVector256(w6 + t));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, v, Avx.LoadVector256(w7 + t));
            }
            return Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
        }

        /// <summary>
        /// 8 rows · the int16 input (x + offset) with vpmovsxbw + vpmaddwd (two products, each at most
        /// 128·255, summed exactly in int32): full steps of 16, then the rows' last 16 bytes against xt.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Dot8Avx2(short* xs, short* xt, int full, int n, int t,
            sbyte* w0, sbyte* w1, sbyte* w2, sbyte* w3, sbyte* w4, sbyte* w5, sbyte* w6, sbyte* w7)
        {
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < full; i += 16)
            {
                Vector256<short> v = Avx.LoadVector256(xs + i);
                a0 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w0 + i));
                a1 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w1 + i));
                a2 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w2 + i));
                a3 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w3 + i));
                a4 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w4 + i));
                a5 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w5 + i));
                a6 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w6 + i));
                a7 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w7 + i));
            }
            if (full < n)
            {
                Vector256<short> v = Avx.LoadVector256(xt);
                a0 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w0 + t));
                a1 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w1 + t));
                a2 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w2 + t));
                a3 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w3 + t));
                a4 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w4 + t));
                a5 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w5 + t));
                a6 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w6 + t));
                a7 += Avx2.MultiplyAddAdjacent(v, Avx2.ConvertToVector256Int16(w7 + t));
            }
            return Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
        }
    }
}

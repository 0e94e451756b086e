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
    /// CONV_2D, bit-exact with <see cref="Reference.Conv2D"/> (same name, signature and contract:
    /// input int8 [N, H, W, Cin], filter int8 [Cout, KH, KW, Cin], output int8 [N, OH, OW, Cout]).
    /// Output channels go in blocks of 4: one 4-row dot (<see cref="DotLeaf"/>: the input loaded once
    /// for 4 filters; the last Cout % 4 channels take the one-row leaf), then the vectorized
    /// requantization (<see cref="Requant"/>). 1x1 without padding (pointwise) dots the input pixel
    /// itself; otherwise the pixel's patch is gathered into an im2col row on the stack (taps outside
    /// the image filled with -InputOffset, which contributes exactly 0) and dotted whole.
    /// More than <see cref="MaxChannels"/> output channels or a patch over <see cref="MaxPatchBytes"/>
    /// run the reference kernel.
    /// </summary>
    public static unsafe class Conv2D
    {
        /// <summary>Largest OutputChannels with a SIMD path (requantization table on the stack: 20 bytes per channel).</summary>
        public const int MaxChannels = 2048;

        /// <summary>Largest filter patch (kH · kW · Cin bytes, the im2col row on the stack) with a SIMD path.</summary>
        public const int MaxPatchBytes = 32 * 1024;

        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            bool pointwise = p.FilterHeight == 1 && p.FilterWidth == 1 && p.PadTop == 0 && p.PadLeft == 0;
            int filterSize = p.FilterHeight * p.FilterWidth * p.InputChannels;
            int n = pointwise ? p.InputChannels : filterSize; // the dot length
            // Every dot reads real input (im2col rows always do; pointwise when no output pixel maps
            // outside the image): then the VNNI offset correction can live in the bias (AddToBias).
            bool everyDotReads = !pointwise || (p.OutputHeight - 1) * p.StrideHeight < p.InputHeight && (p.OutputWidth - 1) * p.StrideWidth < p.InputWidth;
            bool foldVnni = AvxVnni.IsSupported && n >= 32 && everyDotReads; // pays from n = 32 without the Σw work (docs/simd.md)
            // Hardware path, chosen here and only here: a 4-output-channel dot (input loaded once) and,
            // for the last OutputChannels % 4 channels, the one-channel leaf.
            delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4 =
                Dp.IsSupported ? &DotLeaf.Dot4Sdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.Dot4Smull          // ARMv8.0 NEON (Pi 4)
                : foldVnni ? &DotLeaf.Dot4AvxVnniU8                       // x64 AVX-VNNI vpdpbusd, Σw correction in the bias
                : AvxVnni.IsSupported && n >= 64 ? &DotLeaf.Dot4AvxVnni   // x64 AVX-VNNI vpdpbusd (pays from n = 64: docs/simd.md)
                : Avx2.IsSupported && n >= 16 ? &DotLeaf.Dot4Avx2         // x64 AVX2 vpmaddwd (pays from n = 16)
                : Sse41.IsSupported ? &DotLeaf.Dot4Sse41                  // x64 SSE4.1 pmaddwd
                : Vector128.IsHardwareAccelerated ? &DotLeaf.Dot4Vector128 // other Vector128 hardware
                : null;
            delegate*<sbyte*, sbyte*, int, int, int> dot =
                Dp.IsSupported ? &DotLeaf.DotSdot : AdvSimd.Arm64.IsSupported ? &DotLeaf.DotSmull : &DotLeaf.DotVector128;
            int outC = p.OutputChannels;
            if (dot4 == null || !DotLeaf.OffsetSupported(p.InputOffset) || outC > MaxChannels || !pointwise && filterSize > MaxPatchBytes)
            {
                Reference.Conv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            // x64 without the VNNI fold (small dot lengths, or no AVX-VNNI): broadcast-and-multiply over
            // 8 output channels per ymm with weights packed per call (no horizontal adds, 8-lane requantization).
            if (foldVnni && PackedBytesVnni(n, outC) <= MaxPackedBytes)
            {
                EvalVnniPacked(p, pointwise, n, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }
            if (!foldVnni && Avx2.IsSupported && PackedBytes(n + p.FilterHeight, outC) <= MaxPackedBytes)
            {
                EvalAvx2Packed(p, pointwise, n, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels;
            int outH = p.OutputHeight, outW = p.OutputWidth;
            int inputOffset = p.InputOffset;
            byte pad = (byte)(sbyte)(-inputOffset);
            int pixels = outH * outW;
            bool pairs = foldVnni; // two output pixels per dot call (Dot4x2AvxVnniU8)
            sbyte* col = stackalloc sbyte[pointwise ? 1 : filterSize];
            sbyte* col2 = stackalloc sbyte[pointwise || !pairs ? 1 : filterSize];
            int* pair = stackalloc int[8];
            int* table = stackalloc int[Requant.TableInts(outC)];
            Requant.Build(table, outC, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector128<int> outOff = Vector128.Create(p.OutputOffset), min = Vector128.Create(p.ActivationMin), max = Vector128.Create(p.ActivationMax);

            if (outC > 0 && p.Batches * outH * outW > 0)
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                byte* o = outBytes + outputStart;
                if (foldVnni) Requant.AddToBias(table, outC, flt, filterSize, DotLeaf.VnniPrefix(n), inputOffset);
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    for (int q = 0; q < pixels;)
                    {
                        sbyte* x0 = Gather(p, pointwise, batch, q, col, pad, out bool inside);
                        if (pairs && q + 1 < pixels)
                        {
                            // Two output pixels per call: each filter row loaded once for both.
                            sbyte* x1 = Gather(p, pointwise, batch, q + 1, col2, pad, out _);
                            int oc = 0;
                            for (; oc + 4 <= outC; oc += 4)
                            {
                                DotLeaf.Dot4x2AvxVnniU8(x0, x1, flt + oc * n, n, n, inputOffset, pair);
                                int* t = table + oc / 4 * Requant.IntsPerBlock;
                                Requant.Store(Requant.Apply(*(Vector128<int>*)pair, t, outOff, min, max), o + oc, 4);
                                Requant.Store(Requant.Apply(*(Vector128<int>*)(pair + 4), t, outOff, min, max), o + outC + oc, 4);
                            }
                            if (oc < outC)
                            {
                                int count = outC - oc;
                                int* t = table + oc / 4 * Requant.IntsPerBlock;
                                Requant.Store(Requant.Apply(Sums(dot4, dot, count, x0, flt + oc * n, n, n, inputOffset), t, outOff, min, max), o + oc, count);
                                Requant.Store(Requant.Apply(Sums(dot4, dot, count, x1, flt + oc * n, n, n, inputOffset), t, outOff, min, max), o + outC + oc, count);
                            }
                            o += 2 * outC;
                            q += 2;
                            continue;
                        }
                        for (int oc = 0; oc < outC; oc += 4)
                        {
                            int count = outC - oc < 4 ? outC - oc : 4;
                            Vector128<int> acc = inside ? Sums(dot4, dot, count, x0, flt + oc * n, n, n, inputOffset) : Vector128<int>.Zero;
                            Requant.Store(Requant.Apply(acc, table + oc / 4 * Requant.IntsPerBlock, outOff, min, max), o, count);
                            o += count;
                        }
                        q++;
                    }
                }
            }
        }

        /// <summary>Largest per-call packed weight block (int16, on the stack) for <see cref="EvalAvx2Packed"/>.</summary>
        public const int MaxPackedBytes = 64 * 1024;

        /// <summary>Bytes of the packed int16 weights: output channels rounded up to 8 × dot length rounded up to 2.</summary>
        static long PackedBytes(int n, int outC) => (long)((outC + 7) / 8) * ((n + 1) / 2) * 16 * sizeof(short);

        /// <summary>Bytes of the packed int8 weights for <see cref="EvalVnniPacked"/>: output channels rounded up to 8 × dot length rounded up to 4.</summary>
        static long PackedBytesVnni(int n, int outC) => (long)((outC + 7) / 8) * ((n + 3) / 4) * 32;

        /// <summary>
        /// CONV_2D with AVX-VNNI when every dot reads real input (n ≥ 32): per output pixel, the dot input
        /// with its sign bit flipped (x + 128 as u8), and per block of 8 output channels one ymm of 8 int32
        /// sums: for each 4 inputs, the 4 bytes broadcast to every lane times the packed weights
        /// (w[oc][k..k+3] of the 8 channels) with vpdpbusd (4 u8·s8 products summed per lane, no
        /// saturation). Σ w·(x + offset) = Σ w·(x + 128) + (offset − 128)·Σ w: the second term goes into
        /// each channel's bias once per call. Weights packed per call on the stack (zero for channels ≥ Cout
        /// and k ≥ n); two channel blocks per pass, requantization 8 lanes at a time.
        /// </summary>
        static void EvalVnniPacked(ConvParams p, bool pointwise, int n, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            int outC = p.OutputChannels, inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels;
            int pixels = p.OutputHeight * p.OutputWidth, outW = p.OutputWidth;
            int quads = (n + 3) / 4, blocks = (outC + 7) / 8;
            sbyte* w8 = stackalloc sbyte[blocks * quads * 32];
            byte* xs = stackalloc byte[4 * quads + 32];
            byte* xs2 = stackalloc byte[4 * quads + 32];
            sbyte* col = stackalloc sbyte[pointwise ? 1 : n];
            sbyte* col2 = stackalloc sbyte[pointwise ? 1 : n];
            int tableInts = Requant.TableInts(outC) + Requant.IntsPerBlock; // + a neutral block: the last 8-lane block may read past Cout
            int* table = stackalloc int[tableInts];
            for (int i = 0; i < tableInts; i++) table[i] = 0;
            Requant.Build(table, outC, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector256<int> outOff = Vector256.Create(p.OutputOffset), min = Vector256.Create(p.ActivationMin), max = Vector256.Create(p.ActivationMax);
            byte pad = (byte)(sbyte)(-p.InputOffset);
            if (outC == 0 || p.Batches * pixels == 0) return;
            bool direct = pointwise && p.StrideHeight == 1 && p.StrideWidth == 1 && p.OutputHeight == inH && p.OutputWidth == inW;
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                int fullQuads = n / 4;
                // Full blocks of 8 channels, 8 quads (32 bytes of each row) at a time: an 8x8 dword transpose.
                int fullBlocks = outC / 8, quadGroups = n / 32;
                for (int cb = 0; cb < fullBlocks; cb++)
                    for (int g = 0; g < quadGroups; g++)
                        Transpose8x8(flt + cb * 8 * n + g * 32, n, (int*)(w8 + (cb * quads + 8 * g) * 32));
                for (int oc = 0; oc < blocks * 8; oc++)
                {
                    int* d = (int*)(w8 + (oc / 8) * quads * 32) + oc % 8; // quad kq of this channel: d[8 · kq]
                    if (oc >= outC) { for (int kq = 0; kq < quads; kq++) d[8 * kq] = 0; continue; }
                    sbyte* row = flt + oc * n;
                    for (int kq = oc < fullBlocks * 8 ? 8 * quadGroups : 0; kq < fullQuads; kq++) d[8 * kq] = Unsafe.ReadUnaligned<int>(row + 4 * kq);
                    if (fullQuads < quads)
                    {
                        int t = 0;
                        for (int k = 4 * fullQuads; k < n; k++) t |= (byte)row[k] << (8 * (k - 4 * fullQuads));
                        d[8 * fullQuads] = t;
                    }
                }
                // Σw per channel from the packed weights (vpdpbusd against ones, 8 channels at once), then
                // (offset − 128)·Σw into the bias, wrapping as the reference's sums.
                int* sums = stackalloc int[8];
                for (int cb = 0; cb < blocks; cb++)
                {
                    Vector256<int> sw = Vector256<int>.Zero;
                    for (int kq = 0; kq < quads; kq++) sw = AvxVnni.MultiplyWideningAndAdd(sw, Vector256.Create((byte)1), Avx.LoadVector256(w8 + (cb * quads + kq) * 32));
                    Avx.Store(sums, sw);
                    for (int j = 0; j < 8 && cb * 8 + j < outC; j++)
                    {
                        int c = cb * 8 + j;
                        table[c / 4 * Requant.IntsPerBlock + c % 4] += (p.InputOffset - 128) * sums[j];
                    }
                }
                for (int i = 0; i < 4 * quads + 32; i++) xs[i] = xs2[i] = 0;
                byte* o = outBytes + outputStart;
                long scratch = 0;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    for (int q = 0, oy = 0, ox = 0; q < pixels; q++, o += outC)
                    {
                        sbyte* x = direct ? batch + q * inC : GatherAt(p, pointwise, batch, oy, ox, col, pad, out _);
                        if (++ox == outW) { ox = 0; oy++; }
                        FlipInto(x, xs, n);
                        if (q + 1 < pixels)
                        {
                            // Two output pixels per pass over the weights (2 pixels × 2 channel blocks per step).
                            sbyte* x1 = direct ? batch + (q + 1) * inC : GatherAt(p, pointwise, batch, oy, ox, col2, pad, out _);
                            if (++ox == outW) { ox = 0; oy++; }
                            FlipInto(x1, xs2, n);
                            byte* o1 = o + outC;
                            int cb2 = 0;
                            for (; cb2 + 2 <= blocks; cb2 += 2)
                            {
                                sbyte* wa = w8 + cb2 * quads * 32, wb = wa + quads * 32;
                                // 8 accumulators (2 pixels × 2 blocks × even/odd quads): vpdpbusd's latency hidden.
                                Vector256<int> a0 = Vector256<int>.Zero, b0 = a0, a1 = a0, b1 = a0, c0 = a0, d0 = a0, c1 = a0, d1 = a0;
                                int kq = 0;
                                for (; kq + 2 <= quads; kq += 2)
                                {
                                    Vector256<byte> u = Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), v = Vector256.Create(*(int*)(xs2 + 4 * kq)).AsByte();
                                    Vector256<sbyte> fa = Avx.LoadVector256(wa + kq * 32), fb = Avx.LoadVector256(wb + kq * 32);
                                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, fa);
                                    b0 = AvxVnni.MultiplyWideningAndAdd(b0, u, fb);
                                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, fa);
                                    b1 = AvxVnni.MultiplyWideningAndAdd(b1, v, fb);
                                    u = Vector256.Create(*(int*)(xs + 4 * kq + 4)).AsByte(); v = Vector256.Create(*(int*)(xs2 + 4 * kq + 4)).AsByte();
                                    fa = Avx.LoadVector256(wa + kq * 32 + 32); fb = Avx.LoadVector256(wb + kq * 32 + 32);
                                    c0 = AvxVnni.MultiplyWideningAndAdd(c0, u, fa);
                                    d0 = AvxVnni.MultiplyWideningAndAdd(d0, u, fb);
                                    c1 = AvxVnni.MultiplyWideningAndAdd(c1, v, fa);
                                    d1 = AvxVnni.MultiplyWideningAndAdd(d1, v, fb);
                                }
                                if (kq < quads)
                                {
                                    Vector256<byte> u = Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), v = Vector256.Create(*(int*)(xs2 + 4 * kq)).AsByte();
                                    Vector256<sbyte> fa = Avx.LoadVector256(wa + kq * 32), fb = Avx.LoadVector256(wb + kq * 32);
                                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, fa);
                                    b0 = AvxVnni.MultiplyWideningAndAdd(b0, u, fb);
                                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, fa);
                                    b1 = AvxVnni.MultiplyWideningAndAdd(b1, v, fb);
                                }
                                a0 += c0; b0 += d0; a1 += c1; b1 += d1;
                                int* t = table + cb2 * 2 * Requant.IntsPerBlock;
                                StoreBlock(Requant.Apply256(a0, t, outOff, min, max), o + cb2 * 8, outC - cb2 * 8, &scratch);
                                StoreBlock(Requant.Apply256(b0, t + 2 * Requant.IntsPerBlock, outOff, min, max), o + cb2 * 8 + 8, outC - cb2 * 8 - 8, &scratch);
                                StoreBlock(Requant.Apply256(a1, t, outOff, min, max), o1 + cb2 * 8, outC - cb2 * 8, &scratch);
                                StoreBlock(Requant.Apply256(b1, t + 2 * Requant.IntsPerBlock, outOff, min, max), o1 + cb2 * 8 + 8, outC - cb2 * 8 - 8, &scratch);
                            }
                            if (cb2 < blocks)
                            {
                                sbyte* wa = w8 + cb2 * quads * 32;
                                Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
                                for (int kq = 0; kq < quads; kq++)
                                {
                                    Vector256<sbyte> fa = Avx.LoadVector256(wa + kq * 32);
                                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), fa);
                                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Create(*(int*)(xs2 + 4 * kq)).AsByte(), fa);
                                }
                                int* t = table + cb2 * 2 * Requant.IntsPerBlock;
                                StoreBlock(Requant.Apply256(a0, t, outOff, min, max), o + cb2 * 8, outC - cb2 * 8, &scratch);
                                StoreBlock(Requant.Apply256(a1, t, outOff, min, max), o1 + cb2 * 8, outC - cb2 * 8, &scratch);
                            }
                            q++; o += outC;
                            continue;
                        }
                        int cb = 0;
                        for (; cb + 2 <= blocks; cb += 2)
                        {
                            sbyte* wa = w8 + cb * quads * 32, wb = wa + quads * 32;
                            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, b0 = a0, b1 = a0;
                            int kq = 0;
                            for (; kq + 2 <= quads; kq += 2)
                            {
                                Vector256<byte> u = Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), v = Vector256.Create(*(int*)(xs + 4 * kq + 4)).AsByte();
                                a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, Avx.LoadVector256(wa + kq * 32));
                                b0 = AvxVnni.MultiplyWideningAndAdd(b0, u, Avx.LoadVector256(wb + kq * 32));
                                a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, Avx.LoadVector256(wa + kq * 32 + 32));
                                b1 = AvxVnni.MultiplyWideningAndAdd(b1, v, Avx.LoadVector256(wb + kq * 32 + 32));
                            }
                            if (kq < quads)
                            {
                                Vector256<byte> u = Vector256.Create(*(int*)(xs + 4 * kq)).AsByte();
                                a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, Avx.LoadVector256(wa + kq * 32));
                                b0 = AvxVnni.MultiplyWideningAndAdd(b0, u, Avx.LoadVector256(wb + kq * 32));
                            }
                            int* t = table + cb * 2 * Requant.IntsPerBlock;
                            StoreBlock(Requant.Apply256(a0 + a1, t, outOff, min, max), o + cb * 8, outC - cb * 8, &scratch);
                            StoreBlock(Requant.Apply256(b0 + b1, t + 2 * Requant.IntsPerBlock, outOff, min, max), o + cb * 8 + 8, outC - cb * 8 - 8, &scratch);
                        }
                        if (cb < blocks)
                        {
                            sbyte* wa = w8 + cb * quads * 32;
                            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
                            int kq = 0;
                            for (; kq + 2 <= quads; kq += 2)
                            {
                                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), Avx.LoadVector256(wa + kq * 32));
                                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Create(*(int*)(xs + 4 * kq + 4)).AsByte(), Avx.LoadVector256(wa + kq * 32 + 32));
                            }
                            if (kq < quads)
                                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(*(int*)(xs + 4 * kq)).AsByte(), Avx.LoadVector256(wa + kq * 32));
                            StoreBlock(Requant.Apply256(a0 + a1, table + cb * 2 * Requant.IntsPerBlock, outOff, min, max), o + cb * 8, outC - cb * 8, &scratch);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Dword k of rows 0..7 (<paramref name="stride"/> bytes apart, 32 bytes each from <paramref name="src"/>)
        /// to d[8·k + row]: unpack 32-bit, unpack 64-bit, swap 128-bit halves.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Transpose8x8(sbyte* src, int stride, int* d)
        {
            Vector256<int> a0 = Avx.LoadVector256((int*)src), a1 = Avx.LoadVector256((int*)(src + stride));
            Vector256<int> a2 = Avx.LoadVector256((int*)(src + 2 * stride)), a3 = Avx.LoadVector256((int*)(src + 3 * stride));
            Vector256<int> a4 = Avx.LoadVector256((int*)(src + 4 * stride)), a5 = Avx.LoadVector256((int*)(src + 5 * stride));
            Vector256<int> a6 = Avx.LoadVector256((int*)(src + 6 * stride)), a7 = Avx.LoadVector256((int*)(src + 7 * stride));
            Vector256<long> t0 = Avx2.UnpackLow(a0, a1).AsInt64(), t1 = Avx2.UnpackHigh(a0, a1).AsInt64();
            Vector256<long> t2 = Avx2.UnpackLow(a2, a3).AsInt64(), t3 = Avx2.UnpackHigh(a2, a3).AsInt64();
            Vector256<long> t4 = Avx2.UnpackLow(a4, a5).AsInt64(), t5 = Avx2.UnpackHigh(a4, a5).AsInt64();
            Vector256<long> t6 = Avx2.UnpackLow(a6, a7).AsInt64(), t7 = Avx2.UnpackHigh(a6, a7).AsInt64();
            Vector256<long> u0 = Avx2.UnpackLow(t0, t2), u1 = Avx2.UnpackHigh(t0, t2), u2 = Avx2.UnpackLow(t1, t3), u3 = Avx2.UnpackHigh(t1, t3);
            Vector256<long> u4 = Avx2.UnpackLow(t4, t6), u5 = Avx2.UnpackHigh(t4, t6), u6 = Avx2.UnpackLow(t5, t7), u7 = Avx2.UnpackHigh(t5, t7);
            Avx.Store((long*)d, Avx2.Permute2x128(u0, u4, 0x20));
            Avx.Store((long*)(d + 8), Avx2.Permute2x128(u1, u5, 0x20));
            Avx.Store((long*)(d + 16), Avx2.Permute2x128(u2, u6, 0x20));
            Avx.Store((long*)(d + 24), Avx2.Permute2x128(u3, u7, 0x20));
            Avx.Store((long*)(d + 32), Avx2.Permute2x128(u0, u4, 0x31));
            Avx.Store((long*)(d + 40), Avx2.Permute2x128(u1, u5, 0x31));
            Avx.Store((long*)(d + 48), Avx2.Permute2x128(u2, u6, 0x31));
            Avx.Store((long*)(d + 56), Avx2.Permute2x128(u3, u7, 0x31));
        }

        /// <summary>
        /// x + 128 as u8 (the sign bit flipped) into xs[0..n), in stores wide enough that the 4-byte
        /// broadcasts read later are forwarded from one store; bytes n.. of the last 8-byte store are 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void FlipInto(sbyte* x, byte* xs, int n)
        {
            int i = 0;
            for (; i + 32 <= n; i += 32) Avx.Store(xs + i, Avx.LoadVector256((byte*)x + i) ^ Vector256.Create((byte)0x80));
            for (; i + 8 <= n; i += 8) *(long*)(xs + i) = *(long*)(x + i) ^ unchecked((long)0x8080808080808080UL);
            if (i < n)
            {
                long t = 0;
                for (int k = 0; k < n - i; k++) t |= (long)(byte)(x[i + k] ^ 0x80) << (8 * k);
                *(long*)(xs + i) = t;
            }
        }

        /// <summary>
        /// The im2col row of output pixel (oy, ox) for dilation-1 rows, as int16 x + InputOffset: filter row ky at
        /// xs[ky·Lp ..], taps outside the image 0 (the reference skips them), row pad (L odd) 0. Written in
        /// 16-byte stores of 8 inputs and 4-byte stores of one input pair, never splitting a pair.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void GatherRows16(ConvParams p, sbyte* batch, int oy, int ox, short* xs, int L, int Lp, Vector128<short> off)
        {
            int inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels, kW = p.FilterWidth, dH = p.DilationHeight;
            int inYOrigin = oy * p.StrideHeight - p.PadTop, inXOrigin = ox * p.StrideWidth - p.PadLeft;
            int kx0 = inXOrigin < 0 ? -inXOrigin : 0, kx1 = inW - inXOrigin < kW ? inW - inXOrigin : kW;
            if (kx1 < kx0) kx1 = kx0;
            int seg0 = kx0 * inC, seg1 = kx1 * inC; // in-image part of a row: [seg0, seg1)
            int offset = p.InputOffset;
            for (int ky = 0; ky < p.FilterHeight; ky++)
            {
                short* d = xs + ky * Lp;
                int inY = inYOrigin + dH * ky;
                if (inY < 0 || inY >= inH)
                {
                    for (int i = 0; i < Lp; i += 2) *(int*)(d + i) = 0;
                    continue;
                }
                sbyte* src = batch + (inY * inW + inXOrigin) * inC; // src[j]: tap j of the row (read for j in [seg0, seg1) only)
                for (int i = 0; i < Lp;)
                {
                    if (i >= seg0 && i + 8 <= seg1) { Sse2.Store(d + i, Sse41.ConvertToVector128Int16(src + i) + off); i += 8; continue; }
                    int v0 = i >= seg0 && i < seg1 ? src[i] + offset : 0, v1 = i + 1 >= seg0 && i + 1 < seg1 ? src[i + 1] + offset : 0;
                    *(int*)(d + i) = (int)((uint)(ushort)v0 | (uint)v1 << 16);
                    i += 2;
                }
            }
        }

        static int kW1(ConvParams p) => p.DilationWidth * (p.FilterWidth - 1);

        /// <summary>
        /// The AVX-VNNI direct form (see EvalAvx2Packed) for <paramref name="count"/> output pixels of one row,
        /// every tap in the image: pixel i's tap (0, 0) at <paramref name="px"/> + i · <paramref name="step"/>,
        /// filter rows <paramref name="rowStride"/> apart; weights w8[((cb · kH + ky) · quadsRow + qd) · 32 ..].
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        static void RowsVnniRun(sbyte* px, int step, int count, int rowStride, int kH, int quadsRow, sbyte* w8, int blocks, int* table,
            byte* o, int outC, Vector256<int> outOff, Vector256<int> min, Vector256<int> max)
        {
            long scratch = 0;
            Vector256<byte> flip = Vector256.Create((byte)0x80);
            for (int i = 0; i < count; i++, px += step, o += outC)
                for (int cb = 0; cb < blocks; cb++)
                {
                    sbyte* wb = w8 + cb * kH * quadsRow * 32;
                    Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
                    sbyte* r = px;
                    for (int ky = 0; ky < kH; ky++, r += rowStride, wb += quadsRow * 32)
                    {
                        int qd = 0;
                        for (; qd + 2 <= quadsRow; qd += 2)
                        {
                            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(*(int*)(r + 4 * qd)).AsByte() ^ flip, Avx.LoadVector256(wb + qd * 32));
                            a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Create(*(int*)(r + 4 * qd + 4)).AsByte() ^ flip, Avx.LoadVector256(wb + qd * 32 + 32));
                        }
                        if (qd < quadsRow)
                            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(*(int*)(r + 4 * qd)).AsByte() ^ flip, Avx.LoadVector256(wb + qd * 32));
                    }
                    StoreBlock(Requant.Apply256T(a0 + a1, table + cb * Requant.IntsPerBlock8, outOff, min, max), o + cb * 8, outC - cb * 8, &scratch);
                }
        }

        /// <summary><see cref="GatherRows16"/> for <paramref name="count"/> output pixels from (oy, ox) on, row-major, into slots <paramref name="slot"/> shorts apart.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        static void GatherRowsGroup(ConvParams p, sbyte* batch, int oy, int ox, int count, short* xs, int slot, int L, int Lp, Vector128<short> off)
        {
            int outW = p.OutputWidth;
            for (int g = 0; g < count; g++, xs += slot)
            {
                GatherRows16(p, batch, oy, ox, xs, L, Lp, off);
                if (++ox == outW) { ox = 0; oy++; }
            }
        }

        /// <summary>Stores the first <paramref name="count"/> (up to 8) of 8 requantized lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void StoreBlock(Vector256<int> r, byte* dst, int count, long* scratch)
        {
            if (count >= 8) { Requant.Store8(r, dst); return; }
            Requant.Store8(r, (byte*)scratch);
            for (int k = 0; k < count; k++) dst[k] = ((byte*)scratch)[k];
        }

        /// <summary>
        /// CONV_2D on x64 with AVX2 when the VNNI fold does not apply: per output pixel, the dot input
        /// (the pixel itself or its im2col row) + InputOffset as int16, and per block of 8 output channels
        /// one ymm of 8 int32 sums: for each input pair (k, k+1), the pair broadcast to every lane times
        /// the packed weights (w[oc][k], w[oc][k+1]) of the 8 channels with vpmaddwd (two products, each
        /// at most 255·128, summed exactly in int32). The weights are packed once per call on the stack
        /// (zero for channels ≥ Cout and k ≥ n); requantization 8 lanes at a time (<see cref="Requant.Apply256"/>).
        /// </summary>
        static void EvalAvx2Packed(ConvParams p, bool pointwise, int n, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            int outC = p.OutputChannels, inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels;
            int pixels = p.OutputHeight * p.OutputWidth, outW = p.OutputWidth;
            // im2col without dilation across a row: the patch goes straight from the input into xs as
            // kH rows of kW·Cin int16 (+ offset), each row padded to an even length so no input pair
            // straddles two rows (every 4-byte broadcast then forwards from a single store).
            bool rows = !pointwise && p.DilationWidth == 1;
            int L = p.FilterWidth * inC, Lp = L + (L & 1);
            int packedN = rows ? p.FilterHeight * Lp : n;
            int pairs = (packedN + 1) / 2, blocks = (outC + 7) / 8;
            short* w16 = stackalloc short[blocks * pairs * 16];
            int slot = (2 * pairs + 15) & ~15, group = slot <= 512 ? 8 : 1; // dot inputs of `group` pixels, slot shorts apart
            short* xs = stackalloc short[group * slot];
            sbyte* col = stackalloc sbyte[pointwise ? 1 : n];
            int* table = stackalloc int[Requant.Table8Ints(outC)]; // 8-lane blocks (channels past Cout neutral)
            Requant.Build8(table, outC, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector256<int> outOff = Vector256.Create(p.OutputOffset), min = Vector256.Create(p.ActivationMin), max = Vector256.Create(p.ActivationMax);
            Vector256<short> off16 = Vector256.Create((short)p.InputOffset);
            short inputOffset = (short)p.InputOffset;
            byte pad = (byte)(sbyte)(-p.InputOffset);
            if (outC == 0 || p.Batches * pixels == 0) return;
            bool direct = pointwise && p.StrideHeight == 1 && p.StrideWidth == 1 && p.OutputHeight == inH && p.OutputWidth == inW; // pixel q is input pixel q
            // AVX-VNNI, im2col rows of at most 16 bytes (first layers: Cin 1..5 under a 3-wide filter): pixels
            // whose every tap is in the image dot straight from the input: per filter row, 4-byte broadcasts
            // (sign bit flipped: x + 128 as u8) times the row's packed weights with vpdpbusd; the bytes past
            // the row's L in its last quad are real input times weight 0. Σ w·(x + offset) = Σ w·(x + 128)
            // + (offset − 128)·Σ w: the second term goes into a second table's biases.
            int kH = p.FilterHeight, quadsRow = (L + 3) / 4;
            // Pointwise over the whole image (direct) takes the same form with one "row" of Cin bytes.
            bool vnniRows = (rows && L <= 16 || direct) && AvxVnni.IsSupported && (long)blocks * kH * quadsRow * 32 <= MaxPackedBytes;
            sbyte* w8 = stackalloc sbyte[vnniRows ? blocks * kH * quadsRow * 32 : 1];
            int* tableV = stackalloc int[vnniRows ? Requant.Table8Ints(outC) : 1];
            int oxLo = -1, oxHi = -1; // output columns [oxLo, oxHi) have every filter column in the image
            for (int x = 0; vnniRows && x < outW; x++)
            {
                int inX = x * p.StrideWidth - p.PadLeft;
                if (inX >= 0 && inX + kW1(p) < inW) { if (oxLo < 0) oxLo = x; oxHi = x + 1; }
            }
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                if (vnniRows)
                {
                    for (int i = 0; i < Requant.Table8Ints(outC); i++) tableV[i] = table[i];
                    for (int oc = 0; oc < blocks * 8; oc++)
                    {
                        int sum = 0;
                        for (int ky = 0; ky < kH; ky++)
                            for (int qd = 0; qd < quadsRow; qd++)
                                for (int b = 0; b < 4; b++)
                                {
                                    int k = 4 * qd + b;
                                    sbyte w = oc < outC && k < L ? flt[oc * n + ky * L + k] : (sbyte)0;
                                    w8[((oc / 8 * kH + ky) * quadsRow + qd) * 32 + oc % 8 * 4 + b] = w;
                                    sum += w;
                                }
                        if (oc < outC) tableV[oc / 8 * Requant.IntsPerBlock8 + oc % 8] += (p.InputOffset - 128) * sum;
                    }
                }
                for (int cb = 0; cb < blocks; cb++)
                    for (int kp = 0; kp < pairs; kp++)
                    {
                        short* d = w16 + (cb * pairs + kp) * 16;
                        for (int j = 0; j < 8; j++)
                            for (int h = 0; h < 2; h++)
                            {
                                int oc = cb * 8 + j, kk = 2 * kp + h; // packed position -> filter index k (or none: 0)
                                int k = !rows ? (kk < n ? kk : -1) : kk % Lp < L ? kk / Lp * L + kk % Lp : -1;
                                d[2 * j + h] = oc < outC && k >= 0 ? flt[oc * n + k] : (short)0;
                            }
                    }
                for (int i = 0; i < group * slot; i++) xs[i] = 0; // odd n: the pad input (its weights are 0) stays 0
                byte* o = outBytes + outputStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    if (direct && vnniRows && batch + (pixels - 1) * inC + 4 * quadsRow <= (sbyte*)inBytes + input.Length)
                    {
                        RowsVnniRun(batch, inC, pixels, 0, 1, quadsRow, w8, blocks, tableV, o, outC, outOff, min, max);
                        o += pixels * outC;
                        continue;
                    }
                    for (int q = 0, oy = 0, ox = 0; q < pixels;)
                    {
                        // Up to `group` output pixels' dot inputs into their slots, then their dots and
                        // requantization in one call (a small method: its accumulators stay in registers).
                        int g = 0;
                        int inYOrigin = oy * p.StrideHeight - p.PadTop;
                        bool rowInside = vnniRows && oxLo >= 0 && inYOrigin >= 0 && inYOrigin + p.DilationHeight * (kH - 1) < inH;
                        if (rowInside && ox == oxLo)
                        {
                            int run = oxHi - oxLo;
                            sbyte* px = batch + (inYOrigin * inW + oxLo * p.StrideWidth - p.PadLeft) * inC;
                            int rowStride = p.DilationHeight * inW * inC, step = p.StrideWidth * inC;
                            if (px + (run - 1) * step + (kH - 1) * rowStride + 4 * quadsRow <= (sbyte*)inBytes + input.Length)
                            {
                                RowsVnniRun(px, step, run, rowStride, kH, quadsRow, w8, blocks, tableV, o, outC, outOff, min, max);
                                o += run * outC;
                                q += run;
                                for (ox += run; ox >= outW; ox -= outW) oy++;
                                continue;
                            }
                            rowInside = false;
                        }
                        if (rows)
                        {
                            g = pixels - q < group ? pixels - q : group;
                            if (rowInside && ox < oxLo && oxLo - ox < g) g = oxLo - ox; // stop at the row's direct run
                            else if (vnniRows && outW - ox < g) g = outW - ox; // (the next row may have one)
                            GatherRowsGroup(p, batch, oy, ox, g, xs, slot, L, Lp, off16.GetLower());
                            q += g;
                            for (ox += g; ox >= outW; ox -= outW) oy++;
                        }
                        else
                        for (; g < group && q < pixels; g++, q++)
                        {
                            short* xg = xs + g * slot;
                            bool inside = true;
                            sbyte* x = direct ? batch + q * inC : GatherAt(p, pointwise, batch, oy, ox, col, pad, out inside);
                            if (++ox == outW) { ox = 0; oy++; }
                            if (!inside) { for (int i = 0; i < n; i++) xg[i] = 0; continue; } // sums 0, as the reference's
                            int k = 0;
                            for (; k + 16 <= n; k += 16) Avx.Store(xg + k, Avx2.ConvertToVector256Int16(x + k) + off16);
                            if (k + 8 <= n) { Sse2.Store(xg + k, Sse41.ConvertToVector128Int16(x + k) + off16.GetLower()); k += 8; }
                            for (; k < n; k++) xg[k] = (short)(x[k] + inputOffset);
                        }
                        DotRequantGroup(xs, slot, g, w16, pairs, blocks, table, o, outC, outOff, min, max);
                        o += g * outC;
                    }
                }
            }
        }

        /// <summary>
        /// The packed AVX2 dots and requantization of <paramref name="count"/> output pixels whose int16 dot
        /// inputs are <paramref name="slot"/> shorts apart at <paramref name="xs"/>; outputs Cout apart at <paramref name="o"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        static void DotRequantGroup(short* xs, int slot, int count, short* w16, int pairs, int blocks, int* table, byte* o, int outC,
            Vector256<int> outOff, Vector256<int> min, Vector256<int> max)
        {
            long scratch = 0;
            for (int g = 0; g < count; g++, xs += slot, o += outC)
                for (int cb = 0; cb < blocks; cb++)
                {
                    short* wb = w16 + cb * pairs * 16;
                    Vector256<int> acc = Vector256<int>.Zero, acc1 = acc;
                    int kp = 0;
                    for (; kp + 2 <= pairs; kp += 2)
                    {
                        acc += Avx2.MultiplyAddAdjacent(Vector256.Create(*(int*)(xs + 2 * kp)).AsInt16(), Avx.LoadVector256(wb + kp * 16));
                        acc1 += Avx2.MultiplyAddAdjacent(Vector256.Create(*(int*)(xs + 2 * kp + 2)).AsInt16(), Avx.LoadVector256(wb + kp * 16 + 16));
                    }
                    if (kp < pairs)
                        acc += Avx2.MultiplyAddAdjacent(Vector256.Create(*(int*)(xs + 2 * kp)).AsInt16(), Avx.LoadVector256(wb + kp * 16));
                    StoreBlock(Requant.Apply256T(acc + acc1, table + cb * Requant.IntsPerBlock8, outOff, min, max), o + cb * 8, outC - cb * 8, &scratch);
                }
        }

        /// <summary>
        /// The dot input of output pixel <paramref name="q"/> (row-major in the batch): pointwise, the input
        /// pixel itself (<paramref name="inside"/> false when it maps outside the image: its sums are 0);
        /// otherwise the im2col row gathered into <paramref name="col"/>: the pixel's patch in the filter's
        /// layout (kH·kW·Cin), taps outside the image set to -InputOffset (an int8: the offset is in
        /// [-127, 128]), whose w·(x + offset) is 0, exactly the reference's skipped tap.
        /// </summary>
        static sbyte* Gather(ConvParams p, bool pointwise, sbyte* batch, int q, sbyte* col, byte pad, out bool inside)
        {
            int oy = q / p.OutputWidth;
            return GatherAt(p, pointwise, batch, oy, q - oy * p.OutputWidth, col, pad, out inside);
        }

        /// <summary><see cref="Gather"/> for output pixel (<paramref name="oy"/>, <paramref name="ox"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static sbyte* GatherAt(ConvParams p, bool pointwise, sbyte* batch, int oy, int ox, sbyte* col, byte pad, out bool inside)
        {
            int inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels, kH = p.FilterHeight, kW = p.FilterWidth;
            int inYOrigin = oy * p.StrideHeight - p.PadTop, inXOrigin = ox * p.StrideWidth - p.PadLeft;
            if (pointwise)
            {
                inside = inYOrigin < inH && inXOrigin < inW; // 1x1, no padding: the tap is in the image when the pixel is
                return batch + (inYOrigin * inW + inXOrigin) * inC;
            }
            inside = true;
            int dH = p.DilationHeight, dW = p.DilationWidth, rowBytes = kW * inC;
            int kx0 = 0, kx1 = kW; // in-image taps of a filter row: [kx0, kx1) (monotonic in kx)
            while (kx0 < kW && inXOrigin + dW * kx0 < 0) kx0++;
            while (kx1 > kx0 && inXOrigin + dW * (kx1 - 1) >= inW) kx1--;
            sbyte* c = col;
            for (int ky = 0; ky < kH; ky++, c += rowBytes)
            {
                int inY = inYOrigin + dH * ky;
                if (inY < 0 || inY >= inH) { Fill(c, pad, rowBytes); continue; }
                sbyte* row = batch + inY * inW * inC;
                if (dW == 1)
                {
                    Fill(c, pad, kx0 * inC);
                    Copy(c + kx0 * inC, row + (inXOrigin + kx0) * inC, (kx1 - kx0) * inC);
                    Fill(c + kx1 * inC, pad, (kW - kx1) * inC);
                }
                else
                {
                    for (int kx = 0; kx < kW; kx++)
                    {
                        if (kx >= kx0 && kx < kx1) Copy(c + kx * inC, row + (inXOrigin + dW * kx) * inC, inC);
                        else Fill(c + kx * inC, pad, inC);
                    }
                }
            }
            return col;
        }

        /// <summary>Small copies inline (the im2col rows of small-Cin layers are a few bytes: a memmove call each would dominate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Copy(sbyte* dst, sbyte* src, int len)
        {
            if (len >= 64) { Unsafe.CopyBlockUnaligned(dst, src, (uint)len); return; }
            int i = 0;
            for (; i + 8 <= len; i += 8) Unsafe.WriteUnaligned(dst + i, Unsafe.ReadUnaligned<long>(src + i));
            for (; i < len; i++) dst[i] = src[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Fill(sbyte* dst, byte value, int len)
        {
            if (len >= 64) { Unsafe.InitBlockUnaligned(dst, value, (uint)len); return; }
            for (int i = 0; i < len; i++) dst[i] = (sbyte)value;
        }

        /// <summary>Dot products of x with <paramref name="count"/> (1..4) weight rows <paramref name="stride"/> apart, as lanes (unused lanes 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Sums(delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4, delegate*<sbyte*, sbyte*, int, int, int> dot,
            int count, sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            if (count == 4) return dot4(x, w, stride, n, offset);
            return Vector128.Create(dot(x, w, n, offset), count > 1 ? dot(x, w + stride, n, offset) : 0, count > 2 ? dot(x, w + 2 * stride, n, offset) : 0, 0);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, bit-exact with <see cref="Reference.DepthwiseConv2D"/> (same name, signature
    /// and contract: input int8 [N, H, W, C], filter int8 [1, KH, KW, C · DepthMultiplier]).
    /// With AVX2 and one input channel, DepthMultiplier &gt; 1 (micro_speech): <see cref="Single"/>, per pixel
    /// dots over the int16 patch. With AVX2 and Cout a multiple of 8: the tap pairs (<see cref="PairTapRun"/>, one
    /// vpmaddwd per two taps and 8 channels; m &gt; 1 reads the expanded band). Otherwise vectorized across channels: per output pixel and block of 16 (then 8) channels, int32
    /// accumulators stay in registers over all in-image taps (int16 products, each widened before any
    /// addition), then the vectorized requantization (<see cref="Requant"/>); the last Cout % 8
    /// channels are summed scalar. DepthMultiplier m &gt; 1 expands input rows to output-channel
    /// order, each once per batch, into a band of rows on the stack (up to
    /// <see cref="MaxExpandedBytes"/>). More than <see cref="MaxChannels"/> output channels, or a
    /// larger band, run the reference kernel.
    /// </summary>
    public static unsafe class DepthwiseConv2D
    {
        /// <summary>Largest output channel count with a SIMD path (requantization table on the stack: 20 bytes per channel).</summary>
        public const int MaxChannels = 2048;

        /// <summary>Largest band of expanded input rows ((dH·(kH − 1) + 1) · W · Cout bytes, on the stack) for DepthMultiplier &gt; 1.</summary>
        public const int MaxExpandedBytes = 64 * 1024;

        /// <summary>Largest interleaved tap-pair weight table (int16, on the stack) for the AVX2 tap-pair form.</summary>
        public const int MaxPairedWeightBytes = 32 * 1024;

        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: AVX2 for blocks of 16 channels (vpmovsxbw,
            // vpmullw, vpmovsxwd into 2 ymm accumulators; 8-lane requantization), then the portable
            // Vector128 form (x64 without AVX2 and ARM64 alike; no AdvSimd/SDOT variant yet).
            bool avx2 = Avx2.IsSupported;
            bool vector = Vector128.IsHardwareAccelerated;
            int inC = p.InputChannels, outC = p.OutputChannels, mult = p.DepthMultiplier;
            int inH = p.InputHeight, inW = p.InputWidth, kH = p.FilterHeight, kW = p.FilterWidth;
            if (!vector || outC > MaxChannels || mult < 1 || outC != inC * mult || !DotLeaf.OffsetSupported(p.InputOffset)
                || mult > 1 && (long)(p.DilationHeight * (kH - 1) + 1) * inW * outC > MaxExpandedBytes)
            {
                Reference.DepthwiseConv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int outH = p.OutputHeight, outW = p.OutputWidth, dH = p.DilationHeight, dW = p.DilationWidth;
            if (avx2 && inC == 1 && mult > 1 && Single(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart))
                return;
            int C = outC;
            Vector128<short> off = Vector128.Create((short)p.InputOffset);
            int taps = kH * kW, tapPairs = (taps + 1) / 2;
            bool pairTaps = avx2 && C % 8 == 0 && (long)(C / 8) * tapPairs * 32 <= MaxPairedWeightBytes;
            int* table = stackalloc int[pairTaps ? 1 : Requant.TableInts(outC)]; // 4-lane table: the forms other than the tap pairs
            if (!pairTaps) Requant.Build(table, outC, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector128<int> outOff = Vector128.Create(p.OutputOffset), min = Vector128.Create(p.ActivationMin), max = Vector128.Create(p.ActivationMax);
            Vector256<short> off16 = Vector256.Create((short)p.InputOffset);
            Vector256<int> outOff8 = Vector256.Create(p.OutputOffset), min8 = Vector256.Create(p.ActivationMin), max8 = Vector256.Create(p.ActivationMax);
            int* tail = stackalloc int[8];
            int* table8 = stackalloc int[avx2 ? Requant.Table8Ints(outC) : 1]; // 8-lane layout for Apply256T
            if (avx2) Requant.Build8(table8, outC, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            // AVX2, DepthMultiplier 1, Cout a multiple of 8: every pixel takes the tap pairs (taps outside the
            // image read a pad row of −InputOffset, whose products are 0; rows of interior pixels in one call): the filter's taps (row-major, one zero-weight pad tap when their count is odd) go
            // two at a time, inputs of both interleaved per channel (punpcklbw), widened + offset, then one
            // vpmaddwd against the pair's interleaved weights gives 8 channels' int32 sums of both taps.
            short* wPairs = stackalloc short[pairTaps ? C / 8 * tapPairs * 16 : 1];
            nint* tapOff = stackalloc nint[pairTaps ? 2 * tapPairs : 1];
            nint* tapAt = stackalloc nint[pairTaps ? 2 * tapPairs : 1]; // border pixels: each tap's address (the pad row outside the image)
            sbyte* padRow = stackalloc sbyte[pairTaps ? C : 1];
            int* tapDy = stackalloc int[pairTaps ? 4 * tapPairs : 1]; // tap t's (dH·ky, dW·kx) at [2t], [2t + 1]
            int* tapKy = stackalloc int[pairTaps ? 2 * tapPairs : 1]; // tap t's filter row (m > 1: rows[ky] is its band row)
            nint* tapRow = stackalloc nint[pairTaps && mult > 1 ? 2 * tapPairs : 1]; // m > 1, in-image rows: tap t's address at input column 0
            for (int i = 0; pairTaps && i < C; i++) padRow[i] = (sbyte)(-p.InputOffset); // x + InputOffset = 0: the reference's skipped tap
            // DepthMultiplier m > 1: input rows are expanded to output-channel order (xe[.., ic·m + j] =
            // x[.., ic]), so output channel c reads channel c as for m = 1. One output row's filter spans
            // S = dH·(kH − 1) + 1 input rows, all distinct modulo S, so row inY lives in slot inY % S
            // (tagged with the row it holds) and, rows being needed in increasing order, each input row
            // is expanded once per batch.
            int slots = dH * (kH - 1) + 1, rowBytesOut = inW * outC;
            sbyte* band = stackalloc sbyte[mult > 1 ? slots * rowBytesOut : 1];
            int* slotRow = stackalloc int[slots];
            sbyte** rows = stackalloc sbyte*[kH];
            if (outC > 0 && p.Batches * outH * outW > 0)
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                byte* o = outBytes + outputStart;
                int oxLo = -1, oxHi = -1; // output columns [oxLo, oxHi) have every filter column in the image
                for (int ox = 0; ox < outW; ox++)
                {
                    int inX = ox * p.StrideWidth - p.PadLeft;
                    if (inX >= 0 && inX + dW * (kW - 1) < inW) { if (oxLo < 0) oxLo = ox; oxHi = ox + 1; }
                }
                if (pairTaps)
                {
                    for (int t = 0; t < 2 * tapPairs; t++)
                    {
                        int tt = t < taps ? t : taps - 1; // the pad tap reads tap taps−1 again (in the image), weight 0
                        tapOff[t] = (dH * (tt / kW) * inW + dW * (tt % kW)) * C;
                        tapDy[2 * t] = dH * (tt / kW); tapDy[2 * t + 1] = dW * (tt % kW);
                        tapKy[t] = tt / kW;
                    }
                    for (int pi = 0; pi < tapPairs; pi++)
                    {
                        sbyte* wa = flt + 2 * pi * C, wb = wa + C;
                        for (int cb = 0; cb < C / 8; cb++)
                        {
                            Vector128<sbyte> va = Vector128.CreateScalarUnsafe(*(long*)(wa + cb * 8)).AsSByte();
                            Vector128<sbyte> vb = 2 * pi + 1 < taps ? Vector128.CreateScalarUnsafe(*(long*)(wb + cb * 8)).AsSByte() : Vector128<sbyte>.Zero;
                            Avx.Store(wPairs + (cb * tapPairs + pi) * 16, Avx2.ConvertToVector256Int16(Sse2.UnpackLow(va, vb)));
                        }
                    }
                }
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* img = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    for (int k = 0; k < slots; k++) slotRow[k] = -1; // a new image: no row expanded yet
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int inYOrigin = oy * p.StrideHeight - p.PadTop;
                        int ky0 = 0, ky1 = kH; // in-image filter rows [ky0, ky1) (monotonic in ky)
                        while (ky0 < kH && inYOrigin + dH * ky0 < 0) ky0++;
                        while (ky1 > ky0 && inYOrigin + dH * (ky1 - 1) >= inH) ky1--;
                        for (int ky = ky0; ky < ky1; ky++)
                        {
                            int inY = inYOrigin + dH * ky;
                            if (mult == 1) { rows[ky] = img + inY * inW * inC; continue; }
                            int slot = inY % slots;
                            sbyte* dst = band + slot * rowBytesOut;
                            if (slotRow[slot] != inY)
                            {
                                sbyte* src = img + inY * inW * inC, e = dst;
                                if (mult == 8)
                                    for (int i = 0; i < inW * inC; i++, e += 8) *(ulong*)e = (byte)src[i] * 0x0101010101010101UL;
                                else
                                for (int i = 0; i < inW * inC; i++, e += mult)
                                {
                                    sbyte v = src[i];
                                    for (int j = 0; j < mult; j++) e[j] = v;
                                }
                                slotRow[slot] = inY;
                            }
                            rows[ky] = dst;
                        }
                        if (pairTaps && mult > 1 && ky0 == 0 && ky1 == kH)
                            for (int t = 0; t < 2 * tapPairs; t++) tapRow[t] = (nint)(rows[tapKy[t]] + tapDy[2 * t + 1] * C);
                        for (int ox = 0; ox < outW; ox++)
                        {
                            if (pairTaps && !(ox == oxLo && ky0 == 0 && ky1 == kH))
                            {
                                // A pixel with taps outside the image: those read the pad row (contributing 0).
                                int inX0 = ox * p.StrideWidth - p.PadLeft;
                                for (int t = 0; t < 2 * tapPairs; t++)
                                {
                                    int inY = inYOrigin + tapDy[2 * t], inX = inX0 + tapDy[2 * t + 1];
                                    tapAt[t] = inY < 0 || inY >= inH || inX < 0 || inX >= inW ? (nint)padRow
                                        : mult == 1 ? (nint)(img + (inY * inW + inX) * C) : (nint)(rows[tapKy[t]] + inX * C);
                                }
                                PairTapRun(null, 0, 1, o, C, wPairs, tapPairs, tapAt, table8, off16, outOff8, min8, max8);
                                o += C;
                                continue;
                            }
                            if (ox == oxLo && pairTaps && ky0 == 0 && ky1 == kH)
                            {
                                // The row's pixels with every tap in the image, in one call.
                                int run = oxHi - oxLo;
                                if (mult == 1)
                                    PairTapRun(img + (inYOrigin * inW + oxLo * p.StrideWidth - p.PadLeft) * C, p.StrideWidth * C, run, o, C,
                                        wPairs, tapPairs, tapOff, table8, off16, outOff8, min8, max8);
                                else // band rows: px is the first pixel's column offset, tapRow the taps' absolute row addresses
                                    PairTapRun((sbyte*)(nint)((oxLo * p.StrideWidth - p.PadLeft) * C), p.StrideWidth * C, run, o, C,
                                        wPairs, tapPairs, tapRow, table8, off16, outOff8, min8, max8);
                                o += run * C;
                                ox = oxHi - 1;
                                continue;
                            }
                            int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                            int kx0 = 0, kx1 = kW;
                            while (kx0 < kW && inXOrigin + dW * kx0 < 0) kx0++;
                            while (kx1 > kx0 && inXOrigin + dW * (kx1 - 1) >= inW) kx1--;
                            int c = 0;
                            if (avx2)
                            {
                                // 16 channels at a time in two 8-lane accumulators, over all taps.
                                for (; c + 16 <= C; c += 16)
                                {
                                    Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
                                    for (int ky = ky0; ky < ky1; ky++)
                                    {
                                        sbyte* xr = rows[ky] + c + inXOrigin * C;
                                        sbyte* wr = flt + ky * kW * C + c;
                                        for (int kx = kx0; kx < kx1; kx++)
                                        {
                                            Vector256<short> pr = (Avx2.ConvertToVector256Int16(xr + dW * kx * C) + off16) * Avx2.ConvertToVector256Int16(wr + kx * C);
                                            a0 += Avx2.ConvertToVector256Int32(pr.GetLower());
                                            a1 += Avx2.ConvertToVector256Int32(pr.GetUpper());
                                        }
                                    }
                                    int* t = table8 + c / 8 * Requant.IntsPerBlock8;
                                    Requant.Store8(Requant.Apply256T(a0, t, outOff8, min8, max8), o + c);
                                    Requant.Store8(Requant.Apply256T(a1, t + Requant.IntsPerBlock8, outOff8, min8, max8), o + c + 8);
                                }
                            }
                            // 16 channels at a time: accumulators stay in registers over all taps.
                            for (; c + 16 <= C; c += 16)
                            {
                                Vector128<int> a0 = Vector128<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
                                for (int ky = ky0; ky < ky1; ky++)
                                {
                                    sbyte* xr = rows[ky] + c;
                                    sbyte* wr = flt + ky * kW * C + c;
                                    for (int kx = kx0; kx < kx1; kx++)
                                    {
                                        Vector128<sbyte> vx = *(Vector128<sbyte>*)(xr + (inXOrigin + dW * kx) * C);
                                        Vector128<sbyte> vw = *(Vector128<sbyte>*)(wr + kx * C);
                                        Vector128<short> lo = (Vector128.WidenLower(vx) + off) * Vector128.WidenLower(vw);
                                        Vector128<short> hi = (Vector128.WidenUpper(vx) + off) * Vector128.WidenUpper(vw);
                                        a0 += Vector128.WidenLower(lo); a1 += Vector128.WidenUpper(lo);
                                        a2 += Vector128.WidenLower(hi); a3 += Vector128.WidenUpper(hi);
                                    }
                                }
                                int* t = table + c / 4 * Requant.IntsPerBlock;
                                Requant.Store(Requant.Apply(a0, t, outOff, min, max), o + c, 4);
                                Requant.Store(Requant.Apply(a1, t + Requant.IntsPerBlock, outOff, min, max), o + c + 4, 4);
                                Requant.Store(Requant.Apply(a2, t + 2 * Requant.IntsPerBlock, outOff, min, max), o + c + 8, 4);
                                Requant.Store(Requant.Apply(a3, t + 3 * Requant.IntsPerBlock, outOff, min, max), o + c + 12, 4);
                            }
                            if (avx2 && c + 8 <= C)
                            {
                                // 8 channels: one ymm accumulator (products widened by vpmovsxwd), 8-lane requantization.
                                Vector256<int> a0 = Vector256<int>.Zero;
                                for (int ky = ky0; ky < ky1; ky++)
                                {
                                    sbyte* xr = rows[ky] + c + inXOrigin * C;
                                    sbyte* wr = flt + ky * kW * C + c;
                                    for (int kx = kx0; kx < kx1; kx++)
                                    {
                                        Vector128<short> pr = (Sse41.ConvertToVector128Int16(xr + dW * kx * C) + off) * Sse41.ConvertToVector128Int16(wr + kx * C);
                                        a0 += Avx2.ConvertToVector256Int32(pr);
                                    }
                                }
                                Requant.Store8(Requant.Apply256T(a0, table8 + c / 8 * Requant.IntsPerBlock8, outOff8, min8, max8), o + c);
                                c += 8;
                            }
                            if (c + 8 <= C)
                            {
                                Vector128<int> a0 = Vector128<int>.Zero, a1 = a0;
                                for (int ky = ky0; ky < ky1; ky++)
                                {
                                    sbyte* xr = rows[ky] + c;
                                    sbyte* wr = flt + ky * kW * C + c;
                                    for (int kx = kx0; kx < kx1; kx++)
                                    {
                                        Vector128<short> vx = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(xr + (inXOrigin + dW * kx) * C)).AsSByte());
                                        Vector128<short> vw = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(wr + kx * C)).AsSByte());
                                        Vector128<short> pr = (vx + off) * vw;
                                        a0 += Vector128.WidenLower(pr); a1 += Vector128.WidenUpper(pr);
                                    }
                                }
                                int* t = table + c / 4 * Requant.IntsPerBlock;
                                Requant.Store(Requant.Apply(a0, t, outOff, min, max), o + c, 4);
                                Requant.Store(Requant.Apply(a1, t + Requant.IntsPerBlock, outOff, min, max), o + c + 4, 4);
                                c += 8;
                            }
                            if (c < C)
                            {
                                // Last C % 8 channels: scalar sums, vector requantization.
                                for (int k = 0; k < 8; k++) tail[k] = 0;
                                for (int ky = ky0; ky < ky1; ky++)
                                {
                                    sbyte* xr = rows[ky];
                                    sbyte* wr = flt + ky * kW * C;
                                    for (int kx = kx0; kx < kx1; kx++)
                                    {
                                        sbyte* xp = xr + (inXOrigin + dW * kx) * C, wp = wr + kx * C;
                                        for (int k = c; k < C; k++) tail[k - c] += wp[k] * (xp[k] + p.InputOffset);
                                    }
                                }
                                int* t = table + c / 4 * Requant.IntsPerBlock;
                                int rem = C - c;
                                Requant.Store(Requant.Apply(*(Vector128<int>*)tail, t, outOff, min, max), o + c, rem < 4 ? rem : 4);
                                if (rem > 4)
                                    Requant.Store(Requant.Apply(*(Vector128<int>*)(tail + 4), t + Requant.IntsPerBlock, outOff, min, max), o + c + 4, rem - 4);
                            }
                            o += C;
                        }
                    }
                }
            }
        }

        /// <summary>Largest zero-padded int16 image (x + InputOffset, on the stack) for the single-input-channel form.</summary>
        public const int MaxPaddedImageBytes = 64 * 1024;

        /// <summary>
        /// AVX2, one input channel (DepthMultiplier m = Cout): the image, plus InputOffset, widened to int16 once per
        /// batch into a zero-bordered copy (0 = the reference's skipped out-of-image tap); per output pixel the
        /// kH·kW patch is gathered into a row of int16 (rounded up to 16, the filter's extra taps weigh 0), then
        /// each output channel is a dot of that row with the channel's filter column (vpmaddwd, int32 sums), 8
        /// channels' sums reduced together (vphaddd) and requantized by 8 lanes. False (nothing written) when a
        /// table would not fit on the stack.
        /// </summary>
        static bool Single(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
        {
            int C = p.OutputChannels, inH = p.InputHeight, inW = p.InputWidth, kH = p.FilterHeight, kW = p.FilterWidth;
            int outH = p.OutputHeight, outW = p.OutputWidth, dH = p.DilationHeight, dW = p.DilationWidth, sH = p.StrideHeight, sW = p.StrideWidth;
            int padT = p.PadTop, padL = p.PadLeft;
            if (padT < 0 || padL < 0 || outH <= 0 || outW <= 0) return false;
            // dW = 1 and kW ≤ 8 (micro_speech: 10x8): filter row ky is taps 8·ky .. 8·ky + 7 (zero weights past kW), so
            // a chunk of 16 is two image rows read in place (one 16-byte load each), no patch copy.
            bool rows8 = dW == 1 && kW <= 8;
            int taps = kH * kW, chunks = rows8 ? (kH + 1) / 2 : (taps + 15) / 16, blocks = (C + 7) / 8;
            long ph = System.Math.Max((long)inH + padT, (long)(outH - 1) * sH + (long)dH * (kH - 1) + 1);
            long pw = System.Math.Max((long)inW + padL, (long)(outW - 1) * sW + (long)dW * (kW - 1) + 1) + 8; // + 8: a row's last 8-wide read
            if (ph * pw * 2 > MaxPaddedImageBytes || (long)blocks * 8 * chunks * 32 > MaxPairedWeightBytes) return false;
            int PW = (int)pw, PH = (int)ph;
            short* img16 = stackalloc short[PH * PW];
            short* wT = stackalloc short[blocks * 8 * chunks * 16]; // [channel][tap], zero past the last tap and channel
            short* patch = stackalloc short[chunks * 16 + 8];
            for (int i = 0; i < chunks * 16 + 8; i++) patch[i] = 0;
            int* table8 = stackalloc int[Requant.Table8Ints(C)];
            Requant.Build8(table8, C, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector256<int> outOff = Vector256.Create(p.OutputOffset), min = Vector256.Create(p.ActivationMin), max = Vector256.Create(p.ActivationMax);
            byte* last = stackalloc byte[8];
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                Unsafe.InitBlockUnaligned(wT, 0, (uint)(blocks * 8 * chunks * 16 * 2));
                for (int c = 0; c < C; c++)
                    for (int ky = 0; ky < kH; ky++)
                        for (int kx = 0; kx < kW; kx++)
                            wT[c * chunks * 16 + (rows8 ? ky * 8 : ky * kW) + kx] = flt[(ky * kW + kx) * C + c];
                byte* o = outBytes + outputStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* img = (sbyte*)inBytes + inputStart + b * inH * inW;
                    Unsafe.InitBlockUnaligned(img16, 0, (uint)(PH * PW * 2));
                    for (int y = 0; y < inH; y++)
                        for (int x = 0; x < inW; x++)
                            img16[(y + padT) * PW + x + padL] = (short)(img[y * inW + x] + p.InputOffset);
                    for (int oy = 0; oy < outH; oy++)
                        for (int ox = 0; ox < outW; ox++, o += C)
                        {
                            short* src = img16 + oy * sH * PW + ox * sW;
                            if (rows8) { } // read in place below
                            else if (dW == 1)
                                for (int ky = 0; ky < kH; ky++) // 8 at a time; the overrun lands on the next row's slot or a zero-weight tap
                                    for (int kx = 0; kx < kW; kx += 8)
                                        Sse2.Store(patch + ky * kW + kx, Sse2.LoadVector128(src + ky * dH * PW + kx));
                            else
                                for (int ky = 0; ky < kH; ky++)
                                    for (int kx = 0; kx < kW; kx++)
                                        patch[ky * kW + kx] = src[ky * dH * PW + kx * dW];
                            for (int blk = 0; blk < blocks; blk++)
                            {
                                short* w = wT + blk * 8 * chunks * 16;
                                Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                                int cs = chunks * 16;
                                // rows8: chunk k is filter rows 2k and 2k + 1 read in place (a row past kH reads as zero; its weights are 0 too).
                                short* r0 = src;
                                int rowStep = dH * PW;
                                for (int k = 0; k < cs; k += 16, r0 += 2 * rowStep)
                                {
                                    Vector256<short> x = !rows8 ? Avx.LoadVector256(patch + k)
                                        : k + 16 < cs || (kH & 1) == 0 ? Vector256.Create(Sse2.LoadVector128(r0), Sse2.LoadVector128(r0 + rowStep))
                                        : Vector256.Create(Sse2.LoadVector128(r0), Vector128<short>.Zero);
                                    a0 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + k));
                                    a1 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + cs + k));
                                    a2 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 2 * cs + k));
                                    a3 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 3 * cs + k));
                                    a4 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 4 * cs + k));
                                    a5 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 5 * cs + k));
                                    a6 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 6 * cs + k));
                                    a7 += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 7 * cs + k));
                                }
                                // Per 128-bit half: [s0, s1, s2, s3] and [s4 .. s7] partial sums; the halves added.
                                Vector256<int> lo = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
                                Vector256<int> hi = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
                                Vector256<int> sum = Avx2.Permute2x128(lo, hi, 0x20) + Avx2.Permute2x128(lo, hi, 0x31);
                                Vector256<int> r = Requant.Apply256T(sum, table8 + blk * Requant.IntsPerBlock8, outOff, min, max);
                                int n = C - blk * 8;
                                if (n >= 8) Requant.Store8(r, o + blk * 8);
                                else { Requant.Store8(r, last); for (int k = 0; k < n; k++) o[blk * 8 + k] = last[k]; }
                            }
                        }
                }
            }
            return true;
        }

        /// <summary>
        /// The tap-pair form for <paramref name="count"/> output pixels of one row, every tap in the image:
        /// pixel i's tap (0, 0) at <paramref name="px"/> + i · <paramref name="step"/>, tap t at + tapOff[t]
        /// (a border pixel: px null, count 1, tapOff the taps' addresses); outputs C apart at <paramref name="o"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        static void PairTapRun(sbyte* px, int step, int count, byte* o, int C, short* wPairs, int tapPairs, nint* tapOff, int* table8,
            Vector256<short> off16, Vector256<int> outOff, Vector256<int> min, Vector256<int> max)
        {
            for (int i = 0; i < count; i++, px += step, o += C)
            {
                int c = 0;
                for (; c + 16 <= C; c += 16)
                {
                    Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
                    short* w0 = wPairs + c / 8 * tapPairs * 16, w1 = w0 + tapPairs * 16;
                    for (int pi = 0; pi < tapPairs; pi++)
                    {
                        Vector128<sbyte> xa = Sse2.LoadVector128(px + tapOff[2 * pi] + c), xb = Sse2.LoadVector128(px + tapOff[2 * pi + 1] + c);
                        a0 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.UnpackLow(xa, xb)) + off16, Avx.LoadVector256(w0 + pi * 16));
                        a1 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.UnpackHigh(xa, xb)) + off16, Avx.LoadVector256(w1 + pi * 16));
                    }
                    Requant.Store8(Requant.Apply256T(a0, table8 + c / 8 * Requant.IntsPerBlock8, outOff, min, max), o + c);
                    Requant.Store8(Requant.Apply256T(a1, table8 + (c / 8 + 1) * Requant.IntsPerBlock8, outOff, min, max), o + c + 8);
                }
                if (c < C)
                {
                    Vector256<int> a0 = Vector256<int>.Zero;
                    short* w0 = wPairs + c / 8 * tapPairs * 16;
                    for (int pi = 0; pi < tapPairs; pi++)
                    {
                        Vector128<sbyte> xa = Vector128.CreateScalarUnsafe(*(long*)(px + tapOff[2 * pi] + c)).AsSByte();
                        Vector128<sbyte> xb = Vector128.CreateScalarUnsafe(*(long*)(px + tapOff[2 * pi + 1] + c)).AsSByte();
                        a0 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.UnpackLow(xa, xb)) + off16, Avx.LoadVector256(w0 + pi * 16));
                    }
                    Requant.Store8(Requant.Apply256T(a0, table8 + c / 8 * Requant.IntsPerBlock8, outOff, min, max), o + c);
                }
            }
        }
    }
}

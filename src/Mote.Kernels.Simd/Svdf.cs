using System;
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
    /// SVDF (integer path, int8 or int16 state and time weights), bit-exact with <see cref="Reference.Svdf"/>
    /// (TFLM EvalIntegerSvdfReference). Per invocation:
    /// 1. the state shift is one memmove (<see cref="Buffer.MemoryCopy"/>, overlap-safe);
    /// 2. the feature matmul is an int8 FULLY_CONNECTED without bias: 4 filters per call of a
    ///    <see cref="DotLeaf"/> 4-row leaf (input offset folded as there; the last Filters % 4 filters
    ///    call the same leaf with stride 0, one row four times), 4-lane MBQM (<see cref="Requant.Apply"/>),
    ///    clamp to the state type, + state zero point, stored truncated into each filter's newest slot;
    /// 3. unit u's filters u·Rank .. u·Rank + Rank − 1 are contiguous in both the state row and the time
    ///    weights, so its sum is one dot of length Rank·Memory: int8 state as int16 (s − zp) times int16 w
    ///    with pmaddwd (|w·(s − zp)| ≤ 128·255, a pair sum fits int32); int16 state as pmaddwd(w, s) −
    ///    pmaddwd(w, zp) (each wraps exactly as the reference's int32 sum does, modulo 2^32). 4 units are
    ///    reduced together (phaddd tree), + bias, 4-lane MBQM, + output offset, clamp to int8.
    /// All int32 additions wrap, so the order differs from the reference's without changing the result.
    /// Hardware path, one place (<see cref="Eval"/>): AVX2 (256-bit time dots, vpmovsxbw/vpmaddwd),
    /// SSE4.1 (128-bit pmaddwd), portable Vector128 (ARM64 too: int16 products widened before adding),
    /// else the reference kernel. The feature leaf is chosen as in <see cref="FullyConnected"/>.
    /// </summary>
    public static unsafe class Svdf
    {
        public static void Eval(SvdfParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            int n = p.InputSize;
            // Hardware path, chosen here and only here.
            delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4 =
                Dp.IsSupported ? &DotLeaf.Dot4Sdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.Dot4Smull          // ARMv8.0 NEON (Pi 4)
                : AvxVnni.IsSupported && n >= 64 ? &DotLeaf.Dot4AvxVnni   // x64 AVX-VNNI vpdpbusd
                : Avx2.IsSupported && n >= 16 ? &DotLeaf.Dot4Avx2         // x64 AVX2 vpmaddwd
                : Sse41.IsSupported ? &DotLeaf.Dot4Sse41                  // x64 SSE4.1 pmaddwd
                : Vector128.IsHardwareAccelerated ? &DotLeaf.Dot4Vector128 // other Vector128 hardware
                : null;
            // Time dots: Avx2 / Sse41 / portable Vector128 inside TimeDot8 / TimeDot16 (JIT-time constants).
            if (dot4 == null || !DotLeaf.OffsetSupported(p.InputOffset) || !Safe(p, inputs, starts, output, outputStart))
            {
                Reference.Svdf.Eval(p, inputs, starts, output, outputStart);
                return;
            }

            byte[] input = inputs[Reference.Svdf.InputTensor], wf = inputs[Reference.Svdf.WeightsFeatureTensor];
            byte[] wt = inputs[Reference.Svdf.WeightsTimeTensor], bias = inputs[Reference.Svdf.BiasTensor], state = inputs[Reference.Svdf.StateTensor];
            int biasStart = starts[Reference.Svdf.BiasTensor];
            int batches = p.Batches, filters = p.Filters, memory = p.Memory, units = p.Units, rank = p.Rank;
            bool wide = p.StateIsInt16;
            int esize = wide ? 2 : 1;
            long stateBytes = (long)batches * filters * memory * esize;
            if (batches <= 0 || filters <= 0 || memory <= 0) return; // nothing to shift, write or output

            // Requantization tables (one block each, Requant.Build's layout): feature (Multiplier1, Shift1), bias 0.
            int* t1 = stackalloc int[Requant.IntsPerBlock];
            int* t2 = stackalloc int[Requant.IntsPerBlock];
            FillTable(t1, p.Multiplier1, p.Shift1);
            FillTable(t2, p.Multiplier2, p.Shift2);
            int* lanes = stackalloc int[4];
            int zp = p.StateZeroPoint, inputOffset = p.InputOffset;
            Vector128<int> zero = Vector128<int>.Zero;
            Vector128<int> stateMin = Vector128.Create(wide ? -32768 : -128), stateMax = Vector128.Create(wide ? 32767 : 127);
            Vector128<int> outOff = Vector128.Create(p.OutputOffset), outMin = Vector128.Create(-128), outMax = Vector128.Create(127);
            int len = rank * memory; // one unit's time dot

            fixed (byte* inBytes = input, wfBytes = wf, wtBytes = wt, biasBytes = bias, stBytes = state, outBytes = output)
            {
                byte* st = stBytes + starts[Reference.Svdf.StateTensor];
                // 1. Shift the whole state left by one element.
                if (stateBytes > esize) Buffer.MemoryCopy(st + esize, st, stateBytes, stateBytes - esize);

                // 2. Feature matmul into each filter's newest slot.
                sbyte* w = (sbyte*)wfBytes + starts[Reference.Svdf.WeightsFeatureTensor];
                for (int b = 0; b < batches; b++)
                {
                    sbyte* x = (sbyte*)inBytes + starts[Reference.Svdf.InputTensor] + (long)b * n;
                    byte* rowState = st + (long)b * filters * memory * esize;
                    for (int f = 0; f < filters; f += 4)
                    {
                        int count = filters - f < 4 ? filters - f : 4;
                        Vector128<int> acc = count == 4 ? dot4(x, w + (long)f * n, n, n, inputOffset) : Tail(dot4, x, w + (long)f * n, n, count, inputOffset);
                        Vector128<int> v = Requant.Apply(acc, t1, zero, stateMin, stateMax) + Vector128.Create(zp);
                        *(Vector128<int>*)lanes = v;
                        for (int k = 0; k < count; k++)
                        {
                            byte* slot = rowState + ((long)(f + k) * memory + memory - 1) * esize;
                            if (wide) *(short*)slot = (short)lanes[k];
                            else *slot = (byte)lanes[k];
                        }
                    }
                }

                // 3 and 4. Time dots per unit, bias, output requantization.
                byte* wtp = wtBytes + starts[Reference.Svdf.WeightsTimeTensor];
                int* biasInts = bias != null && biasStart >= 0 ? (int*)(biasBytes + biasStart) : null;
                for (int b = 0; b < batches; b++)
                {
                    byte* rowState = st + (long)b * filters * memory * esize;
                    byte* o = outBytes + outputStart + (long)b * units;
                    for (int u = 0; u < units; u += 4)
                    {
                        int count = units - u < 4 ? units - u : 4;
                        Vector128<int> a0, a1 = zero, a2 = zero, a3 = zero;
                        long e = (long)u * len * esize;
                        if (wide)
                        {
                            short* s = (short*)(rowState + e), tw = (short*)(wtp + e);
                            a0 = TimeDot16(s, tw, len, zp);
                            if (count > 1) a1 = TimeDot16(s + len, tw + len, len, zp);
                            if (count > 2) a2 = TimeDot16(s + 2 * len, tw + 2 * len, len, zp);
                            if (count > 3) a3 = TimeDot16(s + 3 * len, tw + 3 * len, len, zp);
                        }
                        else
                        {
                            sbyte* s = (sbyte*)(rowState + e), tw = (sbyte*)(wtp + e);
                            a0 = TimeDot8(s, tw, len, zp);
                            if (count > 1) a1 = TimeDot8(s + len, tw + len, len, zp);
                            if (count > 2) a2 = TimeDot8(s + 2 * len, tw + 2 * len, len, zp);
                            if (count > 3) a3 = TimeDot8(s + 3 * len, tw + 3 * len, len, zp);
                        }
                        Vector128<int> sums = Reduce4(a0, a1, a2, a3);
                        if (biasInts != null)
                        {
                            if (count == 4) sums += *(Vector128<int>*)(biasInts + u);
                            else
                            {
                                for (int k = 0; k < 4; k++) lanes[k] = k < count ? biasInts[u + k] : 0;
                                sums += *(Vector128<int>*)lanes;
                            }
                        }
                        Requant.Store(Requant.Apply(sums, t2, outOff, outMin, outMax), o + u, count);
                    }
                }
            }
        }

        /// <summary>
        /// Every range inside its array (<see cref="Alias.InBounds"/>: the pointer code never reads or writes past
        /// one), and no overlap between the output, the state and the read-only inputs (the reference's order of
        /// reads and writes then decides: it runs instead). The interpreter never produces either.
        /// </summary>
        static bool Safe(SvdfParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            long esize = p.StateIsInt16 ? 2 : 1;
            long inBytes = (long)p.Batches * p.InputSize, wfBytes = (long)p.Filters * p.InputSize, wtBytes = (long)p.Filters * p.Memory * esize;
            long stateBytes = (long)p.Batches * p.Filters * p.Memory * esize, outBytes = (long)p.Batches * p.Units;
            byte[] input = inputs[Reference.Svdf.InputTensor], wf = inputs[Reference.Svdf.WeightsFeatureTensor], wt = inputs[Reference.Svdf.WeightsTimeTensor];
            byte[] bias = inputs[Reference.Svdf.BiasTensor], state = inputs[Reference.Svdf.StateTensor];
            int inS = starts[Reference.Svdf.InputTensor], wfS = starts[Reference.Svdf.WeightsFeatureTensor], wtS = starts[Reference.Svdf.WeightsTimeTensor];
            int biasS = starts[Reference.Svdf.BiasTensor], stS = starts[Reference.Svdf.StateTensor];
            bool hasBias = bias != null && biasS >= 0;
            long biasBytes = hasBias ? 4L * p.Units : 0;
            if (inBytes > int.MaxValue || wfBytes > int.MaxValue || wtBytes > int.MaxValue || stateBytes > int.MaxValue || outBytes > int.MaxValue) return false;
            if (!Alias.InBounds(input, inS, inBytes) || !Alias.InBounds(wf, wfS, wfBytes) || !Alias.InBounds(wt, wtS, wtBytes)
                || hasBias && !Alias.InBounds(bias, biasS, biasBytes) || !Alias.InBounds(state, stS, stateBytes) || !Alias.InBounds(output, outputStart, outBytes))
                return false;
            int st = (int)stateBytes, ob = (int)outBytes;
            if (Alias.Hazard(state, stS, st, output, outputStart, ob, false)) return false;
            return !Alias.Hazard(input, inS, (int)inBytes, output, outputStart, ob, false) && !Alias.Hazard(input, inS, (int)inBytes, state, stS, st, false)
                && !Alias.Hazard(wf, wfS, (int)wfBytes, output, outputStart, ob, false) && !Alias.Hazard(wf, wfS, (int)wfBytes, state, stS, st, false)
                && !Alias.Hazard(wt, wtS, (int)wtBytes, output, outputStart, ob, false) && !Alias.Hazard(wt, wtS, (int)wtBytes, state, stS, st, false)
                && !(hasBias && (Alias.Hazard(bias, biasS, (int)biasBytes, output, outputStart, ob, false) || Alias.Hazard(bias, biasS, (int)biasBytes, state, stS, st, false)));
        }

        /// <summary>One <see cref="Requant"/> table block: bias 0, the same multiplier and shift in all 4 lanes.</summary>
        static void FillTable(int* t, int multiplier, int shift)
        {
            int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
            for (int k = 0; k < 4; k++)
            {
                t[k] = 0;
                t[4 + k] = multiplier;
                t[8 + k] = unchecked(1 << left);
                t[12 + k] = right;
                t[16 + k] = (int)((1L << right) - 1);
            }
        }

        /// <summary>The last 1..3 filters: the 4-row leaf once per filter with stride 0 (lane 0 is the filter's dot).</summary>
        static Vector128<int> Tail(delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4, sbyte* x, sbyte* w, int n, int count, int offset)
        {
            int s0 = dot4(x, w, 0, n, offset).ToScalar();
            int s1 = count > 1 ? dot4(x, w + n, 0, n, offset).ToScalar() : 0;
            int s2 = count > 2 ? dot4(x, w + 2 * n, 0, n, offset).ToScalar() : 0;
            return Vector128.Create(s0, s1, s2, 0);
        }

        /// <summary>Lane k = the sum of the lanes of a_k.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Reduce4(Vector128<int> a0, Vector128<int> a1, Vector128<int> a2, Vector128<int> a3)
        {
            if (Ssse3.IsSupported) return Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
            return Vector128.Create(Vector128.Sum(a0), Vector128.Sum(a1), Vector128.Sum(a2), Vector128.Sum(a3));
        }

        /// <summary>
        /// int8 state: a vector whose lanes sum to Σ_{j &lt; n} w[j]·(s[j] − zp) (wrapping). s − zp in
        /// [-255, 255] is exact in int16, and so is each product (≤ 128·255 = 32640).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> TimeDot8(sbyte* s, sbyte* w, int n, int zp)
        {
            Vector128<int> acc = Vector128<int>.Zero;
            int j = 0;
            if (Avx2.IsSupported)
            {
                Vector256<short> z = Vector256.Create((short)zp);
                Vector256<int> wideAcc = Vector256<int>.Zero;
                for (; j + 16 <= n; j += 16)
                    wideAcc += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(s + j) - z, Avx2.ConvertToVector256Int16(w + j));
                acc = wideAcc.GetLower() + wideAcc.GetUpper();
            }
            if (Sse41.IsSupported)
            {
                Vector128<short> z = Vector128.Create((short)zp);
                for (; j + 8 <= n; j += 8)
                    acc += Sse2.MultiplyAddAdjacent(Sse41.ConvertToVector128Int16(s + j) - z, Sse41.ConvertToVector128Int16(w + j));
            }
            else
            {
                Vector128<short> z = Vector128.Create((short)zp);
                for (; j + 8 <= n; j += 8)
                {
                    Vector128<short> vs = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(s + j)).AsSByte());
                    Vector128<short> vw = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(w + j)).AsSByte());
                    Vector128<short> pr = (vs - z) * vw;
                    acc += Vector128.WidenLower(pr) + Vector128.WidenUpper(pr);
                }
            }
            if (j < n)
            {
                int t = 0;
                for (; j < n; j++) t += w[j] * (s[j] - zp);
                acc += Vector128.CreateScalar(t);
            }
            return acc;
        }

        /// <summary>
        /// int16 state: a vector whose lanes sum to Σ_{j &lt; n} w[j]·(s[j] − zp) modulo 2^32, as
        /// Σ w·s − Σ w·zp with pmaddwd (a pair sum of two −32768·−32768 products wraps to −2^31, which
        /// is the same value modulo 2^32, and every later addition wraps as the reference's does).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> TimeDot16(short* s, short* w, int n, int zp)
        {
            Vector128<int> acc = Vector128<int>.Zero;
            int j = 0;
            if (Avx2.IsSupported)
            {
                Vector256<short> z = Vector256.Create((short)zp);
                Vector256<int> wideAcc = Vector256<int>.Zero;
                for (; j + 16 <= n; j += 16)
                {
                    Vector256<short> vw = Avx.LoadVector256(w + j);
                    wideAcc += Avx2.MultiplyAddAdjacent(Avx.LoadVector256(s + j), vw) - Avx2.MultiplyAddAdjacent(z, vw);
                }
                acc = wideAcc.GetLower() + wideAcc.GetUpper();
            }
            if (Sse2.IsSupported)
            {
                Vector128<short> z = Vector128.Create((short)zp);
                for (; j + 8 <= n; j += 8)
                {
                    Vector128<short> vw = Sse2.LoadVector128(w + j);
                    acc += Sse2.MultiplyAddAdjacent(Sse2.LoadVector128(s + j), vw) - Sse2.MultiplyAddAdjacent(z, vw);
                }
            }
            else
            {
                Vector128<int> z = Vector128.Create(zp);
                for (; j + 8 <= n; j += 8)
                {
                    Vector128<short> vs = *(Vector128<short>*)(s + j), vw = *(Vector128<short>*)(w + j);
                    acc += (Vector128.WidenLower(vs) - z) * Vector128.WidenLower(vw) + (Vector128.WidenUpper(vs) - z) * Vector128.WidenUpper(vw);
                }
            }
            if (j < n)
            {
                int t = 0;
                for (; j < n; j++) t = unchecked(t + w[j] * (s[j] - zp));
                acc += Vector128.CreateScalar(t);
            }
            return acc;
        }
    }
}

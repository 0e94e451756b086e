using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

// AvxVnni is marked [RequiresPreviewFeatures] in the net8.0 reference assembly only; the JIT treats it as any ISA class.
#pragma warning disable CA2252

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// The hot loop of CONV_2D and FULLY_CONNECTED, one leaf function per hardware path:
    /// <c>sum over i &lt; n of w[i] * (x[i] + offset)</c> in wrapping int32 arithmetic, exactly the
    /// reference kernels' accumulation (the sum is the same modulo 2^32 in any order).
    ///
    /// Contract: x and w int8, n ≥ 0, offset in [-127, 128] (an input offset is minus an int8 zero
    /// point; <see cref="OffsetSupported"/>); the caller checks that and falls back to the reference.
    ///
    /// Leaf means: no calls, no allocation, no bounds checks — so the arm64 code can be run
    /// under qemu-aarch64 from C (tools/arm64-check). For that reason each leaf has its own
    /// scalar tail instead of calling a shared helper.
    /// </summary>
    public static unsafe class DotLeaf
    {
        public static bool OffsetSupported(int offset) => offset >= -127 && offset <= 128;

        /// <summary>
        /// SDOT (ARMv8.2-A dotprod, Raspberry Pi 5): per 16 bytes one sdot for Σ w·x and one for
        /// Σ w (against a vector of ones); the offset is folded in at the end: Σ w·x + offset·Σ w.
        /// </summary>
        public static int DotSdot(sbyte* x, sbyte* w, int n, int offset)
        {
            Vector128<int> acc = Vector128<int>.Zero, wsum = Vector128<int>.Zero;
            Vector128<sbyte> ones = Vector128.Create((sbyte)1);
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<sbyte> vx = AdvSimd.LoadVector128(x + i);
                Vector128<sbyte> vw = AdvSimd.LoadVector128(w + i);
                acc = Dp.DotProduct(acc, vw, vx);     // sdot
                wsum = Dp.DotProduct(wsum, vw, ones); // sdot
            }
            acc = AdvSimd.Add(acc, AdvSimd.Multiply(wsum, Vector128.Create(offset)));
            int sum = AdvSimd.Arm64.AddAcross(acc).ToScalar();
            for (; i < n; i++) sum += w[i] * (x[i] + offset);
            return sum;
        }

        /// <summary>
        /// ARMv8.0 NEON (Raspberry Pi 4): SMULL/SMULL2 give int16 products of 8 lanes each, each
        /// product alone fits int16 (|p| ≤ 16384) and goes straight into int32 lanes with SADALP —
        /// never two products in one int16 lane ((-128·-128)·2 = 32768 does not fit, so no SMLAL2).
        /// Σ w comes from SADDLP + SADALP; the offset is folded in at the end.
        /// </summary>
        public static int DotSmull(sbyte* x, sbyte* w, int n, int offset)
        {
            Vector128<int> acc = Vector128<int>.Zero, wsum = Vector128<int>.Zero;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<sbyte> vx = AdvSimd.LoadVector128(x + i);
                Vector128<sbyte> vw = AdvSimd.LoadVector128(w + i);
                acc = AdvSimd.AddPairwiseWideningAndAdd(acc, AdvSimd.MultiplyWideningLower(vw.GetLower(), vx.GetLower())); // smull + sadalp
                acc = AdvSimd.AddPairwiseWideningAndAdd(acc, AdvSimd.MultiplyWideningUpper(vw, vx));                       // smull2 + sadalp
                wsum = AdvSimd.AddPairwiseWideningAndAdd(wsum, AdvSimd.AddPairwiseWidening(vw));                           // saddlp + sadalp
            }
            acc = AdvSimd.Add(acc, AdvSimd.Multiply(wsum, Vector128.Create(offset)));
            int sum = AdvSimd.Arm64.AddAcross(acc).ToScalar();
            for (; i < n; i++) sum += w[i] * (x[i] + offset);
            return sum;
        }

        /// <summary>
        /// Portable Vector128 (x64, any ARM64): widen both operands to int16, add the offset to the
        /// input ((x + offset) in [-255, 255]), multiply in int16 (|w·(x + offset)| ≤ 128·255 = 32640
        /// fits), widen each product to int32 before any addition.
        /// </summary>
        public static int DotVector128(sbyte* x, sbyte* w, int n, int offset)
        {
            Vector128<int> acc = Vector128<int>.Zero;
            Vector128<short> off = Vector128.Create((short)offset);
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                // Plain (unaligned) loads rather than Vector128.Load: identical code, and no call
                // when crossgen2 compiles against the x64 CoreLib for arm64 (tools/arm64-check).
                Vector128<sbyte> vx = *(Vector128<sbyte>*)(x + i);
                Vector128<sbyte> vw = *(Vector128<sbyte>*)(w + i);
                Vector128<short> lo = (Vector128.WidenLower(vx) + off) * Vector128.WidenLower(vw);
                Vector128<short> hi = (Vector128.WidenUpper(vx) + off) * Vector128.WidenUpper(vw);
                acc += Vector128.WidenLower(lo) + Vector128.WidenUpper(lo) + Vector128.WidenLower(hi) + Vector128.WidenUpper(hi);
            }
            if (i + 8 <= n)
            {
                // One 8-byte step (channel counts of 8, 24, ... are common in small models).
                Vector128<short> vx = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(x + i)).AsSByte());
                Vector128<short> vw = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(w + i)).AsSByte());
                Vector128<short> pr = (vx + off) * vw;
                acc += Vector128.WidenLower(pr) + Vector128.WidenUpper(pr);
                i += 8;
            }
            int sum = Vector128.Sum(acc);
            for (; i < n; i++) sum += w[i] * (x[i] + offset);
            return sum;
        }
    
        // ---- Four output channels per call: the input is loaded (and widened) once for 4 weight rows
        // w, w + stride, w + 2·stride, w + 3·stride; returns the 4 sums as lanes 0..3. ----

        /// <summary>
        /// x64 SSE4.1: per 8 bytes the input is widened once (pmovsxbw) and offset; each weight row is
        /// widened and multiplied with pmaddwd (int16 pairs → int32: |w·(x + offset)| ≤ 32640, a pair sum
        /// ≤ 65280, exact in int32); phaddd transposes the 4 accumulators into the 4 sums.
        /// </summary>
        public static Vector128<int> Dot4Sse41(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector128<short> off = Vector128.Create((short)offset);
            Vector128<int> a0 = Vector128<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                Vector128<short> vx = Sse41.ConvertToVector128Int16(x + i) + off;
                a0 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w + i));
                a1 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w1 + i));
                a2 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w2 + i));
                a3 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w3 + i));
            }
            Vector128<int> r = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
            if (i < n)
            {
                int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (; i < n; i++)
                {
                    int xo = x[i] + offset;
                    s0 += w[i] * xo; s1 += w1[i] * xo; s2 += w2[i] * xo; s3 += w3[i] * xo;
                }
                r += Vector128.Create(s0, s1, s2, s3);
            }
            return r;
        }

        /// <summary>x64 AVX2: as <see cref="Dot4Sse41"/> with 16 bytes per step in 256-bit registers (vpmovsxbw, vpmaddwd).</summary>
        public static Vector128<int> Dot4Avx2(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector256<short> off = Vector256.Create((short)offset);
            Vector256<int> b0 = Vector256<int>.Zero, b1 = b0, b2 = b0, b3 = b0;
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector256<short> vx = Avx2.ConvertToVector256Int16(x + i) + off;
                b0 += Avx2.MultiplyAddAdjacent(vx, Avx2.ConvertToVector256Int16(w + i));
                b1 += Avx2.MultiplyAddAdjacent(vx, Avx2.ConvertToVector256Int16(w1 + i));
                b2 += Avx2.MultiplyAddAdjacent(vx, Avx2.ConvertToVector256Int16(w2 + i));
                b3 += Avx2.MultiplyAddAdjacent(vx, Avx2.ConvertToVector256Int16(w3 + i));
            }
            Vector128<int> a0 = b0.GetLower() + b0.GetUpper(), a1 = b1.GetLower() + b1.GetUpper();
            Vector128<int> a2 = b2.GetLower() + b2.GetUpper(), a3 = b3.GetLower() + b3.GetUpper();
            if (i + 8 <= n)
            {
                Vector128<short> vx = Sse41.ConvertToVector128Int16(x + i) + off.GetLower();
                a0 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w + i));
                a1 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w1 + i));
                a2 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w2 + i));
                a3 += Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w3 + i));
                i += 8;
            }
            Vector128<int> r = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
            if (i < n)
            {
                int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (; i < n; i++)
                {
                    int xo = x[i] + offset;
                    s0 += w[i] * xo; s1 += w1[i] * xo; s2 += w2[i] * xo; s3 += w3[i] * xo;
                }
                r += Vector128.Create(s0, s1, s2, s3);
            }
            return r;
        }

        /// <summary>
        /// x64 AVX-VNNI (vpdpbusd: unsigned × signed bytes, 4 products summed into each int32 lane
        /// without intermediate saturation). The input is made unsigned by flipping its sign bit
        /// (x + 128 in [0, 255]); Σ w·(x + offset) = Σ w·(x + 128) + (offset − 128)·Σ w, with Σ w from
        /// a second vpdpbusd against bytes of 1 — all wrapping int32, so exact modulo 2^32 as the reference.
        /// 32 bytes per step, then 16, then 8 with pmaddwd, then scalar.
        /// </summary>
        public static Vector128<int> Dot4AvxVnni(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector256<int> b0 = Vector256<int>.Zero, b1 = b0, b2 = b0, b3 = b0, s0 = b0, s1 = b0, s2 = b0, s3 = b0;
            Vector256<byte> flip = Vector256.Create((byte)0x80), one = Vector256.Create((byte)1);
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                Vector256<byte> vx = *(Vector256<byte>*)(x + i) ^ flip;
                Vector256<sbyte> v0 = *(Vector256<sbyte>*)(w + i), v1 = *(Vector256<sbyte>*)(w1 + i);
                Vector256<sbyte> v2 = *(Vector256<sbyte>*)(w2 + i), v3 = *(Vector256<sbyte>*)(w3 + i);
                b0 = AvxVnni.MultiplyWideningAndAdd(b0, vx, v0); s0 = AvxVnni.MultiplyWideningAndAdd(s0, one, v0);
                b1 = AvxVnni.MultiplyWideningAndAdd(b1, vx, v1); s1 = AvxVnni.MultiplyWideningAndAdd(s1, one, v1);
                b2 = AvxVnni.MultiplyWideningAndAdd(b2, vx, v2); s2 = AvxVnni.MultiplyWideningAndAdd(s2, one, v2);
                b3 = AvxVnni.MultiplyWideningAndAdd(b3, vx, v3); s3 = AvxVnni.MultiplyWideningAndAdd(s3, one, v3);
            }
            Vector128<int> a0 = b0.GetLower() + b0.GetUpper(), a1 = b1.GetLower() + b1.GetUpper();
            Vector128<int> a2 = b2.GetLower() + b2.GetUpper(), a3 = b3.GetLower() + b3.GetUpper();
            Vector128<int> t0 = s0.GetLower() + s0.GetUpper(), t1 = s1.GetLower() + s1.GetUpper();
            Vector128<int> t2 = s2.GetLower() + s2.GetUpper(), t3 = s3.GetLower() + s3.GetUpper();
            if (i + 16 <= n)
            {
                Vector128<byte> vx = *(Vector128<byte>*)(x + i) ^ flip.GetLower();
                Vector128<sbyte> v0 = *(Vector128<sbyte>*)(w + i), v1 = *(Vector128<sbyte>*)(w1 + i);
                Vector128<sbyte> v2 = *(Vector128<sbyte>*)(w2 + i), v3 = *(Vector128<sbyte>*)(w3 + i);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, vx, v0); t0 = AvxVnni.MultiplyWideningAndAdd(t0, one.GetLower(), v0);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, vx, v1); t1 = AvxVnni.MultiplyWideningAndAdd(t1, one.GetLower(), v1);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, vx, v2); t2 = AvxVnni.MultiplyWideningAndAdd(t2, one.GetLower(), v2);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, vx, v3); t3 = AvxVnni.MultiplyWideningAndAdd(t3, one.GetLower(), v3);
                i += 16;
            }
            Vector128<int> r = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3))
                + Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(t0, t1), Ssse3.HorizontalAdd(t2, t3)) * Vector128.Create(offset - 128);
            if (i + 8 <= n)
            {
                Vector128<short> off = Vector128.Create((short)offset);
                Vector128<short> vx = Sse41.ConvertToVector128Int16(x + i) + off;
                r += Ssse3.HorizontalAdd(
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w + i)), Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w1 + i))),
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w2 + i)), Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w3 + i))));
                i += 8;
            }
            if (i < n)
            {
                int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
                for (; i < n; i++)
                {
                    int xo = x[i] + offset;
                    c0 += w[i] * xo; c1 += w1[i] * xo; c2 += w2[i] * xo; c3 += w3[i] * xo;
                }
                r += Vector128.Create(c0, c1, c2, c3);
            }
            return r;
        }

        /// <summary>
        /// <see cref="Dot4AvxVnni"/> without the Σ w accumulators, for callers that fold the offset
        /// correction into the bias once per kernel call (<see cref="VnniPrefix"/>, <see cref="Requant.AddToBias"/>):
        /// returns Σ_{i &lt; m} w·(x + 128) + Σ_{m ≤ i &lt; n} w·(x + offset), m = <see cref="VnniPrefix"/>(n).
        /// </summary>
        public static Vector128<int> Dot4AvxVnniU8(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector256<int> b0 = Vector256<int>.Zero, b1 = b0, b2 = b0, b3 = b0;
            Vector256<byte> flip = Vector256.Create((byte)0x80);
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                Vector256<byte> vx = *(Vector256<byte>*)(x + i) ^ flip;
                b0 = AvxVnni.MultiplyWideningAndAdd(b0, vx, *(Vector256<sbyte>*)(w + i));
                b1 = AvxVnni.MultiplyWideningAndAdd(b1, vx, *(Vector256<sbyte>*)(w1 + i));
                b2 = AvxVnni.MultiplyWideningAndAdd(b2, vx, *(Vector256<sbyte>*)(w2 + i));
                b3 = AvxVnni.MultiplyWideningAndAdd(b3, vx, *(Vector256<sbyte>*)(w3 + i));
            }
            Vector128<int> a0 = b0.GetLower() + b0.GetUpper(), a1 = b1.GetLower() + b1.GetUpper();
            Vector128<int> a2 = b2.GetLower() + b2.GetUpper(), a3 = b3.GetLower() + b3.GetUpper();
            if (i + 16 <= n)
            {
                Vector128<byte> vx = *(Vector128<byte>*)(x + i) ^ flip.GetLower();
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, vx, *(Vector128<sbyte>*)(w + i));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, vx, *(Vector128<sbyte>*)(w1 + i));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, vx, *(Vector128<sbyte>*)(w2 + i));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, vx, *(Vector128<sbyte>*)(w3 + i));
                i += 16;
            }
            Vector128<int> r = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
            if (i + 8 <= n)
            {
                Vector128<short> off = Vector128.Create((short)offset);
                Vector128<short> vx = Sse41.ConvertToVector128Int16(x + i) + off;
                r += Ssse3.HorizontalAdd(
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w + i)), Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w1 + i))),
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w2 + i)), Sse2.MultiplyAddAdjacent(vx, Sse41.ConvertToVector128Int16(w3 + i))));
                i += 8;
            }
            if (i < n)
            {
                int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
                for (; i < n; i++)
                {
                    int xo = x[i] + offset;
                    c0 += w[i] * xo; c1 += w1[i] * xo; c2 += w2[i] * xo; c3 += w3[i] * xo;
                }
                r += Vector128.Create(c0, c1, c2, c3);
            }
            return r;
        }

        /// <summary>
        /// <see cref="Dot4AvxVnniU8"/> for two inputs (two output pixels) at once: each filter row is loaded
        /// once for both. Writes pixel 0's 4 sums to <paramref name="sums"/>[0..3] and pixel 1's to [4..7].
        /// </summary>
        public static void Dot4x2AvxVnniU8(sbyte* x0, sbyte* x1, sbyte* w, int stride, int n, int offset, int* sums)
        {
            Vector256<int> p0 = Vector256<int>.Zero, p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
            Vector256<byte> flip = Vector256.Create((byte)0x80);
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                Vector256<byte> u = *(Vector256<byte>*)(x0 + i) ^ flip, v = *(Vector256<byte>*)(x1 + i) ^ flip;
                Vector256<sbyte> f0 = *(Vector256<sbyte>*)(w + i), f1 = *(Vector256<sbyte>*)(w1 + i);
                p0 = AvxVnni.MultiplyWideningAndAdd(p0, u, f0); q0 = AvxVnni.MultiplyWideningAndAdd(q0, v, f0);
                p1 = AvxVnni.MultiplyWideningAndAdd(p1, u, f1); q1 = AvxVnni.MultiplyWideningAndAdd(q1, v, f1);
                Vector256<sbyte> f2 = *(Vector256<sbyte>*)(w2 + i), f3 = *(Vector256<sbyte>*)(w3 + i);
                p2 = AvxVnni.MultiplyWideningAndAdd(p2, u, f2); q2 = AvxVnni.MultiplyWideningAndAdd(q2, v, f2);
                p3 = AvxVnni.MultiplyWideningAndAdd(p3, u, f3); q3 = AvxVnni.MultiplyWideningAndAdd(q3, v, f3);
            }
            Vector128<int> a0 = p0.GetLower() + p0.GetUpper(), a1 = p1.GetLower() + p1.GetUpper();
            Vector128<int> a2 = p2.GetLower() + p2.GetUpper(), a3 = p3.GetLower() + p3.GetUpper();
            Vector128<int> c0 = q0.GetLower() + q0.GetUpper(), c1 = q1.GetLower() + q1.GetUpper();
            Vector128<int> c2 = q2.GetLower() + q2.GetUpper(), c3 = q3.GetLower() + q3.GetUpper();
            if (i + 16 <= n)
            {
                Vector128<byte> u = *(Vector128<byte>*)(x0 + i) ^ flip.GetLower(), v = *(Vector128<byte>*)(x1 + i) ^ flip.GetLower();
                Vector128<sbyte> f0 = *(Vector128<sbyte>*)(w + i), f1 = *(Vector128<sbyte>*)(w1 + i);
                Vector128<sbyte> f2 = *(Vector128<sbyte>*)(w2 + i), f3 = *(Vector128<sbyte>*)(w3 + i);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, f0); c0 = AvxVnni.MultiplyWideningAndAdd(c0, v, f0);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, u, f1); c1 = AvxVnni.MultiplyWideningAndAdd(c1, v, f1);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, u, f2); c2 = AvxVnni.MultiplyWideningAndAdd(c2, v, f2);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, u, f3); c3 = AvxVnni.MultiplyWideningAndAdd(c3, v, f3);
                i += 16;
            }
            Vector128<int> r0 = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3));
            Vector128<int> r1 = Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(c0, c1), Ssse3.HorizontalAdd(c2, c3));
            if (i + 8 <= n)
            {
                Vector128<short> off = Vector128.Create((short)offset);
                Vector128<short> u = Sse41.ConvertToVector128Int16(x0 + i) + off, v = Sse41.ConvertToVector128Int16(x1 + i) + off;
                Vector128<short> f0 = Sse41.ConvertToVector128Int16(w + i), f1 = Sse41.ConvertToVector128Int16(w1 + i);
                Vector128<short> f2 = Sse41.ConvertToVector128Int16(w2 + i), f3 = Sse41.ConvertToVector128Int16(w3 + i);
                r0 += Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(u, f0), Sse2.MultiplyAddAdjacent(u, f1)),
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(u, f2), Sse2.MultiplyAddAdjacent(u, f3)));
                r1 += Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(v, f0), Sse2.MultiplyAddAdjacent(v, f1)),
                    Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(v, f2), Sse2.MultiplyAddAdjacent(v, f3)));
                i += 8;
            }
            if (i < n)
            {
                int s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
                for (; i < n; i++)
                {
                    int xo = x0[i] + offset, yo = x1[i] + offset;
                    s0 += w[i] * xo; s1 += w1[i] * xo; s2 += w2[i] * xo; s3 += w3[i] * xo;
                    t0 += w[i] * yo; t1 += w1[i] * yo; t2 += w2[i] * yo; t3 += w3[i] * yo;
                }
                r0 += Vector128.Create(s0, s1, s2, s3);
                r1 += Vector128.Create(t0, t1, t2, t3);
            }
            *(Vector128<int>*)sums = r0;
            *(Vector128<int>*)(sums + 4) = r1;
        }

        /// <summary>The prefix <see cref="Dot4AvxVnniU8"/> computes against x + 128: n rounded down to 16.</summary>
        public static int VnniPrefix(int n) => n & ~15;

        /// <summary>
        /// Four rows with SDOT (ARMv8.2-A dotprod, Raspberry Pi 5): per 16 bytes the input is loaded
        /// once; each row gets one sdot for Σ w·x and one against ones for Σ w (8 sdot per 64 MACs).
        /// Two rounds of addp transpose the 4 + 4 accumulators into the row sums; the offset is folded
        /// in as Σ w·x + offset·Σ w; the n % 16 tail is scalar per row. A leaf: tools/arm64-check runs
        /// it under qemu (returned in v0, as AAPCS64 returns an int32x4_t).
        /// </summary>
        public static Vector128<int> Dot4Sdot(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector128<int> a0 = Vector128<int>.Zero, a1 = a0, a2 = a0, a3 = a0, s0 = a0, s1 = a0, s2 = a0, s3 = a0;
            Vector128<sbyte> ones = Vector128.Create((sbyte)1);
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<sbyte> vx = AdvSimd.LoadVector128(x + i);
                Vector128<sbyte> v0 = AdvSimd.LoadVector128(w + i), v1 = AdvSimd.LoadVector128(w1 + i);
                Vector128<sbyte> v2 = AdvSimd.LoadVector128(w2 + i), v3 = AdvSimd.LoadVector128(w3 + i);
                a0 = Dp.DotProduct(a0, v0, vx); s0 = Dp.DotProduct(s0, v0, ones);
                a1 = Dp.DotProduct(a1, v1, vx); s1 = Dp.DotProduct(s1, v1, ones);
                a2 = Dp.DotProduct(a2, v2, vx); s2 = Dp.DotProduct(s2, v2, ones);
                a3 = Dp.DotProduct(a3, v3, vx); s3 = Dp.DotProduct(s3, v3, ones);
            }
            Vector128<int> sums = AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a0, a1), AdvSimd.Arm64.AddPairwise(a2, a3));
            Vector128<int> wsums = AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(s0, s1), AdvSimd.Arm64.AddPairwise(s2, s3));
            sums = AdvSimd.Add(sums, AdvSimd.Multiply(wsums, Vector128.Create(offset)));
            int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (; i < n; i++)
            {
                int xv = x[i] + offset;
                t0 += w[i] * xv; t1 += w1[i] * xv; t2 += w2[i] * xv; t3 += w3[i] * xv;
            }
            return AdvSimd.Add(sums, Vector128.Create(t0, t1, t2, t3));
        }

        /// <summary>
        /// Four rows with ARMv8.0 NEON (Raspberry Pi 4): the input is loaded once per 16 bytes; per
        /// row SMULL/SMULL2 products (each alone fits int16, see <see cref="DotSmull"/>) go into int32
        /// lanes with SADALP, Σ w through SADDLP + SADALP; addp transposes, the offset is folded in,
        /// the tail is scalar. A leaf, like <see cref="Dot4Sdot"/>.
        /// </summary>
        public static Vector128<int> Dot4Smull(sbyte* x, sbyte* w, int stride, int n, int offset)
        {
            Vector128<int> a0 = Vector128<int>.Zero, a1 = a0, a2 = a0, a3 = a0, s0 = a0, s1 = a0, s2 = a0, s3 = a0;
            sbyte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<sbyte> vx = AdvSimd.LoadVector128(x + i);
                Vector64<sbyte> xl = vx.GetLower();
                Vector128<sbyte> v0 = AdvSimd.LoadVector128(w + i), v1 = AdvSimd.LoadVector128(w1 + i);
                Vector128<sbyte> v2 = AdvSimd.LoadVector128(w2 + i), v3 = AdvSimd.LoadVector128(w3 + i);
                a0 = AdvSimd.AddPairwiseWideningAndAdd(a0, AdvSimd.MultiplyWideningLower(v0.GetLower(), xl));
                a0 = AdvSimd.AddPairwiseWideningAndAdd(a0, AdvSimd.MultiplyWideningUpper(v0, vx));
                s0 = AdvSimd.AddPairwiseWideningAndAdd(s0, AdvSimd.AddPairwiseWidening(v0));
                a1 = AdvSimd.AddPairwiseWideningAndAdd(a1, AdvSimd.MultiplyWideningLower(v1.GetLower(), xl));
                a1 = AdvSimd.AddPairwiseWideningAndAdd(a1, AdvSimd.MultiplyWideningUpper(v1, vx));
                s1 = AdvSimd.AddPairwiseWideningAndAdd(s1, AdvSimd.AddPairwiseWidening(v1));
                a2 = AdvSimd.AddPairwiseWideningAndAdd(a2, AdvSimd.MultiplyWideningLower(v2.GetLower(), xl));
                a2 = AdvSimd.AddPairwiseWideningAndAdd(a2, AdvSimd.MultiplyWideningUpper(v2, vx));
                s2 = AdvSimd.AddPairwiseWideningAndAdd(s2, AdvSimd.AddPairwiseWidening(v2));
                a3 = AdvSimd.AddPairwiseWideningAndAdd(a3, AdvSimd.MultiplyWideningLower(v3.GetLower(), xl));
                a3 = AdvSimd.AddPairwiseWideningAndAdd(a3, AdvSimd.MultiplyWideningUpper(v3, vx));
                s3 = AdvSimd.AddPairwiseWideningAndAdd(s3, AdvSimd.AddPairwiseWidening(v3));
            }
            Vector128<int> sums = AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a0, a1), AdvSimd.Arm64.AddPairwise(a2, a3));
            Vector128<int> wsums = AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(s0, s1), AdvSimd.Arm64.AddPairwise(s2, s3));
            sums = AdvSimd.Add(sums, AdvSimd.Multiply(wsums, Vector128.Create(offset)));
            int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (; i < n; i++)
            {
                int xv = x[i] + offset;
                t0 += w[i] * xv; t1 += w1[i] * xv; t2 += w2[i] * xv; t3 += w3[i] * xv;
            }
            return AdvSimd.Add(sums, Vector128.Create(t0, t1, t2, t3));
        }

        // The portable path runs its one-row leaf four times (x64 has its own 4-row leaves above).
        public static Vector128<int> Dot4Vector128(sbyte* x, sbyte* w, int stride, int n, int offset) =>
            Vector128.Create(DotVector128(x, w, n, offset), DotVector128(x, w + stride, n, offset), DotVector128(x, w + 2 * stride, n, offset), DotVector128(x, w + 3 * stride, n, offset));
}
}

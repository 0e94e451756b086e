using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

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
    
        /// <summary>
        /// Depthwise hot loop, portable Vector128: <c>acc[i] += w[i] * (x[i] + offset)</c> for i &lt; n
        /// (int32 accumulators, one per channel; same int16 bounds as <see cref="DotVector128"/>).
        /// </summary>
        public static void MacChannelsVector128(int* acc, sbyte* x, sbyte* w, int n, int offset)
        {
            Vector128<short> off = Vector128.Create((short)offset);
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<sbyte> vx = *(Vector128<sbyte>*)(x + i);
                Vector128<sbyte> vw = *(Vector128<sbyte>*)(w + i);
                Vector128<short> lo = (Vector128.WidenLower(vx) + off) * Vector128.WidenLower(vw);
                Vector128<short> hi = (Vector128.WidenUpper(vx) + off) * Vector128.WidenUpper(vw);
                Vector128<int>* a = (Vector128<int>*)(acc + i);
                a[0] += Vector128.WidenLower(lo);
                a[1] += Vector128.WidenUpper(lo);
                a[2] += Vector128.WidenLower(hi);
                a[3] += Vector128.WidenUpper(hi);
            }
            if (i + 8 <= n)
            {
                Vector128<short> vx = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(x + i)).AsSByte());
                Vector128<short> vw = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(long*)(w + i)).AsSByte());
                Vector128<short> pr = (vx + off) * vw;
                Vector128<int>* a = (Vector128<int>*)(acc + i);
                a[0] += Vector128.WidenLower(pr);
                a[1] += Vector128.WidenUpper(pr);
                i += 8;
            }
            for (; i < n; i++) acc[i] += w[i] * (x[i] + offset);
        }
}
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// ADD int8, bit-exact with <see cref="Reference.Add"/> (TFLM AddFunc per element: + input offsets,
    /// × 2^LeftShift, each input rescaled with MultiplyByQuantizedMultiplierSmallerThanOneExp, sum,
    /// rescaled the same way, + output offset, clamp). With AVX2 and TFLM's int8 parameters
    /// (<see cref="NarrowSupported"/>), <see cref="EvalNarrow256"/>: 32 elements per step with cheaper exact
    /// forms of the three requantizations. Otherwise the same-shape case runs 8 elements per step
    /// in int32 lanes (the shifts are uniform, so the rounding shifts are plain arithmetic shifts);
    /// the last FlatSize % 8 go through the same vector code via 8-byte stack copies.
    /// Broadcasting, parameters outside what the vector code covers (shifts outside TFLM's
    /// ranges, an activation range wider than int8), ranges outside their arrays and partially
    /// overlapping input/output ranges run the reference kernel.
    /// </summary>
    public static unsafe class Add
    {
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: AVX2 (32 per step for TFLM's parameters, else 8 int32
            // lanes: vpmuldq, vpsrad), else two Vector128 halves (pmuldq with SSE4.1, int64 lanes on the portable path).
            bool avx2 = Avx2.IsSupported;
            if (!(avx2 || Vector128.IsHardwareAccelerated) || p.Broadcast || !Supported(p) || !BuffersSafe(p, input1, input1Start, input2, input2Start, output, outputStart))
            {
                Reference.Add.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
                return;
            }
            int n = p.FlatSize;
            if (n <= 0) return;
            if (avx2 && NarrowSupported(p))
            {
                EvalNarrow256(p, input1, input1Start, input2, input2Start, output, outputStart);
                return;
            }
            fixed (byte* a0 = input1, b0 = input2, o0 = output)
            {
                sbyte* a = (sbyte*)a0 + input1Start, b = (sbyte*)b0 + input2Start;
                sbyte* o = (sbyte*)o0 + outputStart;
                int full = n & ~7, i = 0;
                if (avx2)
                    for (; i < full; i += 8) Step256(p, a + i, b + i, o + i);
                else
                    for (; i < full; i += 8) Step128(p, a + i, b + i, o + i);
                if (i < n)
                {
                    long ta = 0, tb = 0, to = 0;
                    int rest = n - i;
                    for (int k = 0; k < rest; k++) { ((sbyte*)&ta)[k] = a[i + k]; ((sbyte*)&tb)[k] = b[i + k]; }
                    if (avx2) Step256(p, (sbyte*)&ta, (sbyte*)&tb, (sbyte*)&to);
                    else Step128(p, (sbyte*)&ta, (sbyte*)&tb, (sbyte*)&to);
                    for (int k = 0; k < rest; k++) o[i + k] = ((sbyte*)&to)[k];
                }
            }
        }

        /// <summary>
        /// The three ranges inside their arrays and each input either disjoint from the output or exactly it
        /// (each step reads its elements before writing them); otherwise the reference kernel (<see cref="Alias"/>).
        /// </summary>
        static bool BuffersSafe(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            int n = p.FlatSize;
            return Alias.InBounds(input1, input1Start, n) && Alias.InBounds(input2, input2Start, n) && Alias.InBounds(output, outputStart, n)
                && !Alias.Hazard(input1, input1Start, n, output, outputStart, n, true) && !Alias.Hazard(input2, input2Start, n, output, outputStart, n, true);
        }

        /// <summary>What the vector code reproduces exactly: TFLM's ranges (shifts are non-positive exponents, LeftShift a valid int32 shift) and an int8 activation range.</summary>
        static bool Supported(AddParams p) =>
            p.ElementType == Runtime.Format.DataType.Int8
            && p.LeftShift >= 0 && p.LeftShift <= 31
            && p.Input1Shift <= 0 && p.Input1Shift >= -31 && p.Input2Shift <= 0 && p.Input2Shift >= -31
            && p.OutputShift <= 0 && p.OutputShift >= -31
            && p.ActivationMin >= -128 && p.ActivationMax <= 127 && p.ActivationMin <= p.ActivationMax;

        /// <summary>
        /// Where <see cref="EvalNarrow256"/> is exact (on top of <see cref="Supported"/>; TFLM's int8 ADD
        /// parameters always are): LeftShift L in [8, 21] (TFLM: 20); input offsets in [-127, 128] (minus an
        /// int8 zero point), so v = x + offset is in [-255, 255]; non-negative input multipliers (TFLM's are
        /// at least 2^30), so a scaled input is never of the opposite sign of v; and the folded rounding
        /// constants below fit int32 (checked in 64-bit arithmetic).
        /// </summary>
        public static bool NarrowSupported(AddParams p)
        {
            if (p.LeftShift < 8 || p.LeftShift > 21) return false;
            if (p.Input1Offset < -127 || p.Input1Offset > 128 || p.Input2Offset < -127 || p.Input2Offset > 128) return false;
            int k = 31 - p.LeftShift;
            if (p.Input1Multiplier < 0 || p.Input2Multiplier < 0) return false;
            return InputFoldFits(k, -p.Input1Shift) && InputFoldFits(k, -p.Input2Shift)
                && OutputFoldFits(-p.OutputShift, p.OutputOffset);
        }

        /// <summary>The input stage's folded rounding constant: |v·ml| + 2^(k−1) + 2^(e−1)·2^k &lt; 2^31.</summary>
        public static bool InputFoldFits(int k, int e) => 255L * (1L << k) + (1L << (k - 1)) + (e > 0 ? 1L << (k + e - 1) : 0) < 1L << 31;

        /// <summary>|h| &lt; 2^30, so h + 2^(e−1) + OutputOffset·2^e must stay inside int32.</summary>
        public static bool OutputFoldFits(int e, int outOff) => (1L << 30) + (e > 0 ? 1L << (e - 1) : 0) + (System.Math.Abs((long)outOff) << e) < 1L << 31;

        /// <summary>Per-call constants of <see cref="EvalNarrow256"/>.</summary>
        struct NarrowConsts
        {
            public Vector256<int> Off1, Off2, High1, Low1, High2, Low2, Round1, Round2, Mult, Threshold;
            public Vector256<long> RoundO;
            public Vector128<int> K, E1, E2, EO, C1, C2;
            public Vector256<sbyte> Min, Max;
        }

        /// <summary>
        /// Same-shape int8 ADD with AVX2, 32 elements per step, for <see cref="NarrowSupported"/> parameters. Exact because:
        /// (1) input stage: HighMul(v·2^L, m) = floor((v·m·2^L + 2^30) / 2^31) = floor((v·m + 2^(k−1)) / 2^k),
        /// and with m = mh·2^k + ml (mh = m &gt;&gt; k arithmetic, ml = m mod 2^k) that is
        /// v·mh + ((v·ml + 2^(k−1)) &gt;&gt; k): two vpmulld, both products below 2^31 in magnitude
        /// (|v| ≤ 255, |mh| ≤ 2^L, ml &lt; 2^k); v·2^L is never int.MinValue (no saturation). Its
        /// RoundingDivideByPOT by e ≥ 1 is (s + 2^(e−1) − [s &lt; 0]) &gt;&gt; e; the half is folded into the inner
        /// shift ((y &gt;&gt; k) + h = (y + h·2^k) &gt;&gt; k), and the sign term is [v &lt; 0] = v &gt;&gt;&gt; 31 (for e = 0
        /// the half is 0 and vpsrld by 32 makes the sign term 0): with m ≥ 0, s has v's sign or is 0, and for
        /// s = 0 both sign terms give 0 ((2^(e−1) − 1) &gt;&gt; e = 0). Every scaled input is below 2^29 in magnitude.
        /// (2) output stage: P = sum·m by vpmuldq (even lanes, and odd lanes shifted down), |sum| &lt; 2^30 so
        /// no saturation; HighMul, RoundingDivideByPOT and + OutputOffset in one: with
        /// Q' = floor((P + 2^30 + (2^(e−1) + OutputOffset·2^e)·2^31) / 2^31) = h + 2^(e−1) + OutputOffset·2^e
        /// (bits 31..62 of the 64-bit sum, picked by a shift and a vpblendd), the result is
        /// (Q' − [h &lt; 0]) &gt;&gt; e, and h &lt; 0 exactly when Q' &lt; 2^(e−1) + OutputOffset·2^e (one vpcmpgtd).
        /// (3) the saturating packs to int8 are the clamp to [-128, 127]; a narrower activation range is
        /// applied to the packed bytes (vpmaxsb / vpminsb).
        /// </summary>
        static void EvalNarrow256(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            NarrowConsts c;
            int k = 31 - p.LeftShift;
            int e1 = -p.Input1Shift, e2 = -p.Input2Shift, eo = -p.OutputShift;
            c.Off1 = Vector256.Create(p.Input1Offset); c.Off2 = Vector256.Create(p.Input2Offset);
            c.High1 = Vector256.Create(p.Input1Multiplier >> k); c.Low1 = Vector256.Create(p.Input1Multiplier & ((1 << k) - 1));
            c.High2 = Vector256.Create(p.Input2Multiplier >> k); c.Low2 = Vector256.Create(p.Input2Multiplier & ((1 << k) - 1));
            c.Round1 = Vector256.Create((1 << (k - 1)) + (e1 > 0 ? 1 << (k + e1 - 1) : 0));
            c.Round2 = Vector256.Create((1 << (k - 1)) + (e2 > 0 ? 1 << (k + e2 - 1) : 0));
            c.K = Vector128.CreateScalar(k);
            c.E1 = Vector128.CreateScalar(e1); c.E2 = Vector128.CreateScalar(e2); c.EO = Vector128.CreateScalar(eo);
            c.C1 = Vector128.CreateScalar(e1 > 0 ? 31 : 32); c.C2 = Vector128.CreateScalar(e2 > 0 ? 31 : 32);
            long offsetScaled = (eo > 0 ? 1L << (eo - 1) : 0) + ((long)p.OutputOffset << eo); // fits int32 (OutputFoldFits)
            c.RoundO = Vector256.Create((1L << 30) + (offsetScaled << 31));
            c.Threshold = Vector256.Create(eo > 0 ? (int)offsetScaled : int.MinValue); // e = 0: no sign term
            c.Mult = Vector256.Create(p.OutputMultiplier);
            c.Min = Vector256.Create((sbyte)p.ActivationMin); c.Max = Vector256.Create((sbyte)p.ActivationMax);
            bool clamp = p.ActivationMin > -128 || p.ActivationMax < 127;
            int n = p.FlatSize;
            fixed (byte* a0 = input1, b0 = input2, o0 = output)
            {
                sbyte* a = (sbyte*)a0 + input1Start, b = (sbyte*)b0 + input2Start;
                byte* o = o0 + outputStart;
                int i = 0;
                if (clamp)
                    for (; i + 32 <= n; i += 32) Step32(ref c, true, a + i, b + i, o + i);
                else
                    for (; i + 32 <= n; i += 32) Step32(ref c, false, a + i, b + i, o + i);
                if (i < n)
                {
                    // The last n % 32 through the same step, via 32-byte stack copies.
                    long* ta = stackalloc long[4], tb = stackalloc long[4], to = stackalloc long[4];
                    int rest = n - i;
                    for (int q = 0; q < rest; q++) { ((sbyte*)ta)[q] = a[i + q]; ((sbyte*)tb)[q] = b[i + q]; }
                    Step32(ref c, clamp, (sbyte*)ta, (sbyte*)tb, (byte*)to);
                    for (int q = 0; q < rest; q++) o[i + q] = ((byte*)to)[q];
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step32(ref NarrowConsts c, bool clamp, sbyte* a, sbyte* b, byte* o)
        {
            Vector256<int> r0 = Narrow8(ref c, a, b), r1 = Narrow8(ref c, a + 8, b + 8);
            Vector256<int> r2 = Narrow8(ref c, a + 16, b + 16), r3 = Narrow8(ref c, a + 24, b + 24);
            // Saturating packs: the clamp to [-128, 127]; per 128-bit half the bytes are r0 r1 r2 r3 (4 each), vpermd restores the order.
            Vector256<sbyte> bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(r0, r1), Avx2.PackSignedSaturate(r2, r3));
            bytes = Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
            if (clamp) bytes = Avx2.Min(Avx2.Max(bytes, c.Min), c.Max);
            Avx.Store((sbyte*)o, bytes);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Narrow8(ref NarrowConsts c, sbyte* a, sbyte* b)
        {
            Vector256<int> v1 = Avx2.ConvertToVector256Int32(a) + c.Off1, v2 = Avx2.ConvertToVector256Int32(b) + c.Off2;
            Vector256<int> s1 = Avx2.MultiplyLow(v1, c.High1) + Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(v1, c.Low1) + c.Round1, c.K);
            Vector256<int> s2 = Avx2.MultiplyLow(v2, c.High2) + Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(v2, c.Low2) + c.Round2, c.K);
            Vector256<int> sum = Avx2.ShiftRightArithmetic(s1 - Avx2.ShiftRightLogical(v1, c.C1), c.E1)
                + Avx2.ShiftRightArithmetic(s2 - Avx2.ShiftRightLogical(v2, c.C2), c.E2);
            Vector256<long> even = Avx2.ShiftRightLogical(Avx2.Multiply(sum, c.Mult) + c.RoundO, 31);
            Vector256<long> odd = Avx2.Multiply(Avx2.ShiftRightLogical(sum.AsInt64(), 32).AsInt32(), c.Mult) + c.RoundO;
            Vector256<int> q = Avx2.Blend(even.AsInt32(), (odd + odd).AsInt32(), 0xAA);
            return Avx2.ShiftRightArithmetic(q + Avx2.CompareGreaterThan(c.Threshold, q), c.EO);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step256(AddParams p, sbyte* a, sbyte* b, sbyte* o)
        {
            Vector256<int> x1 = Avx2.ConvertToVector256Int32(a) + Vector256.Create(p.Input1Offset); // vpmovsxbd: 8 bytes
            Vector256<int> x2 = Avx2.ConvertToVector256Int32(b) + Vector256.Create(p.Input2Offset);
            x1 = Avx2.ShiftLeftLogical(x1, Vector128.CreateScalar(p.LeftShift));
            x2 = Avx2.ShiftLeftLogical(x2, Vector128.CreateScalar(p.LeftShift));
            x1 = Rdbpot256(Requant.HighMul256(x1, Vector256.Create(p.Input1Multiplier)), -p.Input1Shift);
            x2 = Rdbpot256(Requant.HighMul256(x2, Vector256.Create(p.Input2Multiplier)), -p.Input2Shift);
            Vector256<int> r = Rdbpot256(Requant.HighMul256(x1 + x2, Vector256.Create(p.OutputMultiplier)), -p.OutputShift) + Vector256.Create(p.OutputOffset);
            r = Avx2.Min(Avx2.Max(r, Vector256.Create(p.ActivationMin)), Vector256.Create(p.ActivationMax));
            Vector128<short> s = Sse2.PackSignedSaturate(r.GetLower(), r.GetUpper());
            *(long*)o = Sse2.PackSignedSaturate(s, s).AsInt64().ToScalar();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step128(AddParams p, sbyte* a, sbyte* b, sbyte* o)
        {
            Vector128<short> wa = Vector128.WidenLower(Vector128.CreateScalar(*(long*)a).AsSByte());
            Vector128<short> wb = Vector128.WidenLower(Vector128.CreateScalar(*(long*)b).AsSByte());
            Vector128<int> lo = Lanes128(p, Vector128.WidenLower(wa), Vector128.WidenLower(wb));
            Vector128<int> hi = Lanes128(p, Vector128.WidenUpper(wa), Vector128.WidenUpper(wb));
            Vector128<short> s = Vector128.Narrow(lo, hi); // values already in [-128, 127]: narrowing is exact
            *(long*)o = Vector128.Narrow(s, s).AsInt64().ToScalar();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Lanes128(AddParams p, Vector128<int> x1, Vector128<int> x2)
        {
            x1 = Vector128.ShiftLeft(x1 + Vector128.Create(p.Input1Offset), p.LeftShift);
            x2 = Vector128.ShiftLeft(x2 + Vector128.Create(p.Input2Offset), p.LeftShift);
            x1 = Rdbpot128(Requant.HighMul(x1, Vector128.Create(p.Input1Multiplier)), -p.Input1Shift);
            x2 = Rdbpot128(Requant.HighMul(x2, Vector128.Create(p.Input2Multiplier)), -p.Input2Shift);
            Vector128<int> r = Rdbpot128(Requant.HighMul(x1 + x2, Vector128.Create(p.OutputMultiplier)), -p.OutputShift) + Vector128.Create(p.OutputOffset);
            return Vector128.Min(Vector128.Max(r, Vector128.Create(p.ActivationMin)), Vector128.Create(p.ActivationMax));
        }

        /// <summary>RoundingDivideByPOT with one exponent e in [0, 31] for all lanes (see <see cref="Requant.Apply"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<int> Rdbpot128(Vector128<int> x, int e)
        {
            int m = (int)((1L << e) - 1);
            Vector128<int> threshold = Vector128.Create(m >> 1) - Vector128.ShiftRightArithmetic(x, 31);
            return Vector128.ShiftRightArithmetic(x, e) - Vector128.GreaterThan(x & Vector128.Create(m), threshold);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Rdbpot256(Vector256<int> x, int e)
        {
            int m = (int)((1L << e) - 1);
            Vector256<int> threshold = Vector256.Create(m >> 1) - Avx2.ShiftRightArithmetic(x, 31);
            return Avx2.ShiftRightArithmetic(x, Vector128.CreateScalar(e)) - Avx2.CompareGreaterThan(x & Vector256.Create(m), threshold);
        }
    }
}

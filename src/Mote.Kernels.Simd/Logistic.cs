using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// LOGISTIC int8, bit-exact with <see cref="Reference.Logistic"/> (TFLM reference_integer_ops::Logistic:
    /// gemmlowp's fixed-point logistic on a Q4.27 input). The same integer steps as
    /// <see cref="FixedPoint.Logistic"/> run on 8 int32 lanes with AVX2 — SaturatingRoundingDoublingHighMul
    /// as <see cref="Mul"/> (no operand pair here can saturate), the barrel shifter's and the sign's selects as blends, the
    /// saturating left shifts as shift + two blends — so the per-element branches become masks and every
    /// lane computes what the scalar code computes. The last Size % 8 elements go through the same
    /// code via 8-byte stack copies. Without AVX2, with parameters outside Model.Load's ranges, a range
    /// outside its array or a partial input/output overlap (<see cref="Alias"/>), the reference kernel.
    /// </summary>
    public static unsafe class Logistic
    {
        public static void Eval(FixedPointActivationParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: AVX2 (8 int32 lanes), else the reference kernel.
            if (!Avx2.IsSupported || !Supported(p) || !Alias.InBounds(input, inputStart, p.Size) || !Alias.InBounds(output, outputStart, p.Size)
                || Alias.Hazard(input, inputStart, p.Size, output, outputStart, p.Size, true))
            {
                Reference.Logistic.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            int n = p.Size;
            if (n <= 0) return;
            // |x + offset| ≤ 255, so a radius above 256 behaves as 256 (and 1 − radius cannot wrap).
            int radius = p.InputRangeRadius > 256 ? 256 : p.InputRangeRadius;
            Vector256<int> off = Vector256.Create(p.InputOffset);
            Vector256<int> lowBound = Vector256.Create(1 - radius), highBound = Vector256.Create(radius - 1);
            Vector256<int> scale = Vector256.Create(1 << p.InputLeftShift), mult = Vector256.Create(p.InputMultiplier);
            fixed (byte* i0 = input, o0 = output)
            {
                sbyte* x = (sbyte*)i0 + inputStart;
                sbyte* o = (sbyte*)o0 + outputStart;
                int i = 0;
                for (; i + 8 <= n; i += 8)
                    Store8(Lanes(Avx2.ConvertToVector256Int32(x + i), off, lowBound, highBound, scale, mult), o + i);
                if (i < n)
                {
                    long tx = 0, to = 0;
                    int rest = n - i;
                    for (int k = 0; k < rest; k++) ((sbyte*)&tx)[k] = x[i + k];
                    Store8(Lanes(Avx2.ConvertToVector256Int32((sbyte*)&tx), off, lowBound, highBound, scale, mult), (sbyte*)&to);
                    for (int k = 0; k < rest; k++) o[i + k] = ((sbyte*)&to)[k];
                }
            }
        }

        /// <summary>Model.Load's ranges: input offset in [-127, 128], radius ≥ 0, multiplier ≥ 0, left shift in [0, 30].</summary>
        static bool Supported(FixedPointActivationParams p) =>
            p.InputOffset >= -127 && p.InputOffset <= 128 && p.InputRangeRadius >= 0
            && p.InputMultiplier >= 0 && p.InputLeftShift >= 0 && p.InputLeftShift <= 30;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store8(Vector256<int> v, sbyte* dst)
        {
            Vector128<short> s = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
            *(long*)dst = Sse2.PackSignedSaturate(s, s).AsInt64().ToScalar();
        }

        /// <summary>8 elements (int8 values widened to int32): the reference's steps 1..3, lanes in [-128, 127].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Lanes(Vector256<int> x, Vector256<int> off, Vector256<int> lowBound, Vector256<int> highBound,
            Vector256<int> scale, Vector256<int> mult)
        {
            Vector256<int> v = x + off;
            Vector256<int> q = MulConst(Avx2.MultiplyLow(v, scale), mult); // MultiplyByQuantizedMultiplier, left shift only (multiplier ≥ 0)
            Vector256<int> s = LogisticQ4(q);
            Vector256<int> r = Avx2.Min(Avx2.Max(Rdbpot(s, 23) - Vector256.Create(128), Vector256.Create(-128)), Vector256.Create(127));
            // v ≥ radius gives 127, then v ≤ −radius gives -128 (the reference's first test: radius 0 sends 0 to -128).
            r = Avx2.BlendVariable(r, Vector256.Create(127), Avx2.CompareGreaterThan(v, highBound));
            return Avx2.BlendVariable(r, Vector256.Create(-128), Avx2.CompareGreaterThan(lowBound, v));
        }

        /// <summary><see cref="FixedPoint.Logistic"/>(a, 4) per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> LogisticQ4(Vector256<int> a)
        {
            Vector256<int> absA = Avx2.Abs(a).AsInt32(); // int.MinValue stays int.MinValue, as the wrapping negation
            Vector256<int> positive = OneOverOnePlusX(ExpOnNegativeValuesQ4(Vector256<int>.Zero - absA));
            Vector256<int> r = Avx2.BlendVariable(Vector256.Create(int.MaxValue) - positive, positive, Avx2.CompareGreaterThan(a, Vector256<int>.Zero));
            return Avx2.BlendVariable(r, Vector256.Create(1 << 30), Avx2.CompareEqual(a, Vector256<int>.Zero));
        }

        /// <summary><see cref="FixedPoint.ExpOnNegativeValues"/>(a, 4): Q4.27 in, Q0.31 out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> ExpOnNegativeValuesQ4(Vector256<int> a)
        {
            const int oneQuarter = 1 << 25; // 1/4 in Q4.27
            Vector256<int> aMod = (a & Vector256.Create(oneQuarter - 1)) - Vector256.Create(oneQuarter);
            // Rescale to Q0.31: a saturating left shift by 4 that never saturates (aMod in [-2^25, 0)).
            Vector256<int> result = ExpOnInterval(Avx2.ShiftLeftLogical(aMod, 4));
            Vector256<int> remainder = aMod - a;
            result = Barrel(result, remainder, 25, 1672461947); // exp(-1/4)
            result = Barrel(result, remainder, 26, 1302514674); // exp(-1/2)
            result = Barrel(result, remainder, 27, 790015084);  // exp(-1)
            result = Barrel(result, remainder, 28, 290630308);  // exp(-2)
            result = Barrel(result, remainder, 29, 39332535);   // exp(-4)
            result = Barrel(result, remainder, 30, 720401);     // exp(-8)
            // exp(-16) needs integerBits > 4: not applied for Q4.27; no clamp below -32 (integerBits ≤ 5).
            return Avx2.BlendVariable(result, Vector256.Create(int.MaxValue), Avx2.CompareEqual(a, Vector256<int>.Zero));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Barrel(Vector256<int> result, Vector256<int> remainder, int bit, int multiplier)
        {
            Vector256<int> hit = Avx2.CompareEqual(remainder & Vector256.Create(1 << bit), Vector256.Create(1 << bit));
            return Avx2.BlendVariable(result, MulConst(result, Vector256.Create(multiplier)), hit);
        }

        /// <summary><see cref="FixedPoint.ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl"/> per lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> ExpOnInterval(Vector256<int> a)
        {
            Vector256<int> x = a + Vector256.Create(1 << 28);
            Vector256<int> x2 = Mul(x, x);
            Vector256<int> x3 = Mul(x2, x);
            Vector256<int> x4 = Mul(x2, x2);
            Vector256<int> inner = MulConst(Rdbpot(x4, 2) + x3, Vector256.Create(715827883)) + x2; // × 1/3
            Vector256<int> poly = Rdbpot(inner, 1);
            Vector256<int> c = Vector256.Create(1895147668); // exp(-1/8)
            return c + MulConst(x + poly, c);
        }

        /// <summary>
        /// <see cref="FixedPoint.OneOverOnePlusXForXIn0To1"/> per lane, for a ≥ 0 (exp of a non-positive value
        /// always is): RoundingHalfSum(a, int.MaxValue) = ((a + 2^31 − 1) + 1) / 2 = 2^30 + (a &gt;&gt; 1) there.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> OneOverOnePlusX(Vector256<int> a)
        {
            Vector256<int> half = Avx2.ShiftRightArithmetic(a, 1) + Vector256.Create(1 << 30);
            Vector256<int> x = Vector256.Create(1515870810) + MulConst(half, Vector256.Create(-1010580540)); // 48/17 − 32/17·d, Q2.29
            for (int i = 0; i < 3; i++)
            {
                Vector256<int> oneMinus = Vector256.Create(1 << 29) - Mul(half, x);
                x += SaturatingShiftLeft(Mul(x, oneMinus), 2);
            }
            return SaturatingShiftLeft(x, 1);
        }

        /// <summary>
        /// SaturatingRoundingDoublingHighMul without the saturation fix-up: floor((a·b + 2^30) / 2^31), bits 31..62
        /// of the 64-bit sum (vpmuldq on the even lanes and on the odd lanes moved down, a shift and a vpblendd).
        /// Exact unless a = b = int.MinValue, which no call here can meet: the input multiplier is ≥ 0, every
        /// constant is positive or −32/17, and the variable operands stay inside (−2^31, 2^31) as in gemmlowp
        /// (|x| ≤ 2^28 in the exp polynomial, the half denominator in [2^30, 2^31), the Newton iterate in (0, 2^31)).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Mul(Vector256<int> a, Vector256<int> b)
        {
            Vector256<long> nudge = Vector256.Create(1L << 30);
            Vector256<long> even = Avx2.ShiftRightLogical(Avx2.Multiply(a, b) + nudge, 31);
            Vector256<long> odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), Avx2.ShiftRightLogical(b.AsInt64(), 32).AsInt32()) + nudge;
            return Avx2.Blend(even.AsInt32(), (odd + odd).AsInt32(), 0xAA);
        }

        /// <summary><see cref="Mul"/> with <paramref name="b"/> the same in every lane (its odd lanes need no move).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> MulConst(Vector256<int> a, Vector256<int> b)
        {
            Vector256<long> nudge = Vector256.Create(1L << 30);
            Vector256<long> even = Avx2.ShiftRightLogical(Avx2.Multiply(a, b) + nudge, 31);
            Vector256<long> odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), b) + nudge;
            return Avx2.Blend(even.AsInt32(), (odd + odd).AsInt32(), 0xAA);
        }

        /// <summary>gemmlowp SaturatingRoundingMultiplyByPOT for an exponent e in [1, 30].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> SaturatingShiftLeft(Vector256<int> x, byte e)
        {
            Vector256<int> threshold = Vector256.Create((1 << (31 - e)) - 1);
            Vector256<int> r = Avx2.ShiftLeftLogical(x, e);
            r = Avx2.BlendVariable(r, Vector256.Create(int.MaxValue), Avx2.CompareGreaterThan(x, threshold));
            return Avx2.BlendVariable(r, Vector256.Create(int.MinValue), Avx2.CompareGreaterThan(Vector256<int>.Zero - threshold, x));
        }

        /// <summary>RoundingDivideByPOT with one exponent e in [1, 31] for all lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Rdbpot(Vector256<int> x, byte e)
        {
            int m = (int)((1L << e) - 1);
            Vector256<int> threshold = Vector256.Create(m >> 1) - Avx2.ShiftRightArithmetic(x, 31);
            return Avx2.ShiftRightArithmetic(x, e) - Avx2.CompareGreaterThan(x & Vector256.Create(m), threshold);
        }
    }
}

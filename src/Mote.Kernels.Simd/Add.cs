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
    /// rescaled the same way, + output offset, clamp). The same-shape case runs 8 elements per step
    /// in int32 lanes (the shifts are uniform, so the rounding shifts are plain arithmetic shifts);
    /// the last FlatSize % 8 go through the same vector code via 8-byte stack copies.
    /// Broadcasting, and parameters outside what the vector code covers (shifts outside TFLM's
    /// ranges, an activation range wider than int8), run the reference kernel.
    /// </summary>
    public static unsafe class Add
    {
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: 8 int32 lanes with AVX2 (vpmuldq, vpsrad),
            // else two Vector128 halves (pmuldq with SSE4.1, int64 lanes on the portable path).
            bool avx2 = Avx2.IsSupported;
            if (!(avx2 || Vector128.IsHardwareAccelerated) || p.Broadcast || !Supported(p))
            {
                Reference.Add.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
                return;
            }
            int n = p.FlatSize;
            if (n <= 0) return;
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

        /// <summary>What the vector code reproduces exactly: TFLM's ranges (shifts are non-positive exponents, LeftShift a valid int32 shift) and an int8 activation range.</summary>
        static bool Supported(AddParams p) =>
            p.ElementType == Runtime.Format.DataType.Int8
            && p.LeftShift >= 0 && p.LeftShift <= 31
            && p.Input1Shift <= 0 && p.Input1Shift >= -31 && p.Input2Shift <= 0 && p.Input2Shift >= -31
            && p.OutputShift <= 0 && p.OutputShift >= -31
            && p.ActivationMin >= -128 && p.ActivationMax <= 127 && p.ActivationMin <= p.ActivationMax;

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

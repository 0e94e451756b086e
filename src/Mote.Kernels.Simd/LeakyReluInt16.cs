using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// LEAKY_RELU int16, bit-exact with <see cref="Reference.LeakyReluInt16"/> (TFLM QuantizeLeakyRelu&lt;int16_t&gt;):
    /// v = x + InputOffset, 8 elements per step; v &gt;= 0: OutputOffset + MultiplyByQuantizedMultiplier(v, Identity),
    /// below: OutputOffset ± MultiplyByQuantizedMultiplier(v, |Alpha|) (double rounding: wrapping × 2^left, rounding doubling
    /// high multiply, rounding right shift); then the clamp to [-32768, 32767]. AVX2 picks each lane's multiplier and
    /// shifts first and multiplies once (per-lane shifts); the portable Vector128 path computes both branches and selects. The last Size % 8 elements go through the same step via stack copies.
    /// Shifts outside [-31, 31] run the reference kernel.
    /// </summary>
    public static unsafe class LeakyReluInt16
    {
        public static void Eval(LeakyReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: AVX2 8 int32 lanes, else portable Vector128 halves, else the reference.
            bool avx2 = Avx2.IsSupported;
            int n = p.Size;
            if (!(avx2 || Vector128.IsHardwareAccelerated) || !BitConverter.IsLittleEndian
                || p.IdentityShift < -31 || p.IdentityShift > 31 || p.AlphaShift < -31 || p.AlphaShift > 31
                || n > int.MaxValue / 2 || !Alias.InBounds(input, inputStart, 2L * n) || !Alias.InBounds(output, outputStart, 2L * n)
                || Alias.Hazard(input, inputStart, 2 * n, output, outputStart, 2 * n, true))
            {
                Reference.LeakyReluInt16.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            if (n <= 0) return;
            var c = new C(p);
            fixed (byte* i0 = input, o0 = output)
            {
                short* x = (short*)(i0 + inputStart), o = (short*)(o0 + outputStart);
                int full = n & ~7, i = 0;
                if (avx2)
                    for (; i < full; i += 8) Step256(ref c, x + i, o + i);
                else
                    for (; i < full; i += 8) Step128(ref c, x + i, o + i);
                if (i < n)
                {
                    int rest = n - i;
                    short* tx = stackalloc short[8], to = stackalloc short[8];
                    for (int k = 0; k < 8; k++) tx[k] = k < rest ? x[i + k] : (short)0;
                    if (avx2) Step256(ref c, tx, to);
                    else Step128(ref c, tx, to);
                    for (int k = 0; k < rest; k++) o[i + k] = to[k];
                }
            }
        }

        struct C
        {
            public int InOff, OutOff, IdM, IdLeft, IdRight, AlM, AlLeft, AlRight;
            public bool AlphaNegative;

            public C(LeakyReluParams p)
            {
                InOff = p.InputOffset; OutOff = p.OutputOffset;
                IdM = p.IdentityMultiplier; IdLeft = p.IdentityShift > 0 ? p.IdentityShift : 0; IdRight = p.IdentityShift > 0 ? 0 : -p.IdentityShift;
                AlphaNegative = p.AlphaMultiplier < 0;
                AlM = AlphaNegative ? unchecked(-p.AlphaMultiplier) : p.AlphaMultiplier;
                AlLeft = p.AlphaShift > 0 ? p.AlphaShift : 0; AlRight = p.AlphaShift > 0 ? 0 : -p.AlphaShift;
            }
        }

        /// <summary>MultiplyByQuantizedMultiplier with one multiplier and shift for all lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Mbqm256(Vector256<int> x, int m, int left, int right) =>
            Add.Rdbpot256(Requant.HighMul256(Avx2.ShiftLeftLogical(x, Vector128.CreateScalar(left)), Vector256.Create(m)), right);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<int> Mbqm128(Vector128<int> x, int m, int left, int right) =>
            Add.Rdbpot128(Requant.HighMul(Vector128.ShiftLeft(x, left), Vector128.Create(m)), right);

        /// <summary>
        /// AVX2: one MultiplyByQuantizedMultiplier per lane with the lane's own multiplier and shifts (identity for
        /// v &gt;= 0, |alpha| below; vpsllvd / vpsravd), then OutputOffset + s, or − s (as (s ^ −1) + 1, the same
        /// wrapping value) where v &lt; 0 and alpha is negative.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step256(ref C c, short* x, short* o)
        {
            Vector256<int> v = Avx2.ConvertToVector256Int32(x) + Vector256.Create(c.InOff);
            Vector256<int> below = Avx2.CompareGreaterThan(Vector256<int>.Zero, v); // v < 0
            Vector256<int> m = Avx2.BlendVariable(Vector256.Create(c.IdM), Vector256.Create(c.AlM), below);
            Vector256<uint> left = Avx2.BlendVariable(Vector256.Create(c.IdLeft), Vector256.Create(c.AlLeft), below).AsUInt32();
            Vector256<uint> right = Avx2.BlendVariable(Vector256.Create(c.IdRight), Vector256.Create(c.AlRight), below).AsUInt32();
            Vector256<int> s = Requant.HighMul256(Avx2.ShiftLeftLogicalVariable(v, left), m); // wrapping × 2^left
            // RoundingDivideByPOT per lane: floor shift, +1 when the remainder is above half (at least half for s < 0).
            Vector256<int> one = Vector256.Create(1);
            Vector256<int> mask = Avx2.ShiftLeftLogicalVariable(one, right) - one;
            Vector256<int> threshold = Avx2.ShiftRightArithmetic(mask, 1) - Avx2.ShiftRightArithmetic(s, 31);
            s = Avx2.ShiftRightArithmeticVariable(s, right) - Avx2.CompareGreaterThan(s & mask, threshold);
            Vector256<int> flip = below & Vector256.Create(c.AlphaNegative ? -1 : 0);
            Vector256<int> r = Vector256.Create(c.OutOff) + ((s ^ flip) - flip);
            Vector128.Store(Sse2.PackSignedSaturate(r.GetLower(), r.GetUpper()), o); // the clamp to int16 is the saturation
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Lanes128(ref C c, Vector128<int> x)
        {
            Vector128<int> v = x + Vector128.Create(c.InOff);
            Vector128<int> off = Vector128.Create(c.OutOff);
            Vector128<int> pos = off + Mbqm128(v, c.IdM, c.IdLeft, c.IdRight);
            Vector128<int> s = Mbqm128(v, c.AlM, c.AlLeft, c.AlRight);
            Vector128<int> neg = c.AlphaNegative ? off - s : off + s;
            Vector128<int> r = Vector128.ConditionalSelect(Vector128.GreaterThan(v, Vector128.Create(-1)), pos, neg);
            return Vector128.Min(Vector128.Max(r, Vector128.Create(-32768)), Vector128.Create(32767));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step128(ref C c, short* x, short* o)
        {
            Vector128<short> w = Vector128.Load(x);
            Vector128.Store(Vector128.Narrow(Lanes128(ref c, Vector128.WidenLower(w)), Lanes128(ref c, Vector128.WidenUpper(w))), o);
        }
    }
}

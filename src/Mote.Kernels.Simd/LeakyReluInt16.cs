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
    /// v = x + InputOffset; both branches are computed for 8 elements at once —
    /// OutputOffset + MultiplyByQuantizedMultiplier(v, Identity) and OutputOffset ± MultiplyByQuantizedMultiplier(v, |Alpha|)
    /// (double rounding: wrapping × 2^left, rounding doubling high multiply, rounding right shift) — and v &gt;= 0 picks one;
    /// then the clamp to [-32768, 32767]. The last Size % 8 elements go through the same step via stack copies.
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step256(ref C c, short* x, short* o)
        {
            Vector256<int> v = Avx2.ConvertToVector256Int32(x) + Vector256.Create(c.InOff);
            Vector256<int> off = Vector256.Create(c.OutOff);
            Vector256<int> pos = off + Mbqm256(v, c.IdM, c.IdLeft, c.IdRight);
            Vector256<int> s = Mbqm256(v, c.AlM, c.AlLeft, c.AlRight);
            Vector256<int> neg = c.AlphaNegative ? off - s : off + s;
            Vector256<int> r = Avx2.BlendVariable(neg.AsByte(), pos.AsByte(), Avx2.CompareGreaterThan(v, Vector256.Create(-1)).AsByte()).AsInt32();
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

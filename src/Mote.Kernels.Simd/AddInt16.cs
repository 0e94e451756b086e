using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// ADD int16, bit-exact with <see cref="Reference.AddInt16"/> (TFLM AddFunc per element with LeftShift 15:
    /// + input offsets, × 2^LeftShift, each input rescaled with MultiplyByQuantizedMultiplierSmallerThanOneExp,
    /// sum, rescaled the same way, + output offset, clamp). Also SUB int16 (<see cref="Sub"/>): the same steps
    /// with scaled1 − scaled2. 8 elements per step in int32 lanes (AVX2: one ymm; else two Vector128 halves);
    /// the last n % 8 go through the same step via stack copies.
    /// Broadcasting runs row by row along the last dimension: an input that is not broadcast there is read as a
    /// contiguous row, one that is (size 1) is rescaled once per row and splat; an input that is the same row
    /// for every output row (shape [1, 1, 1, n], e.g. a bias) is rescaled once per call into a stack row.
    /// Parameters outside what the vector code covers (shifts outside TFLM's ranges, an activation range wider
    /// than int16) run the reference kernel.
    /// </summary>
    public static unsafe class AddInt16
    {
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here (for SUB too): AVX2 8 int32 lanes (vpmovsxwd, vpmuldq),
            // else portable Vector128 (SSE4.1 pmuldq or int64 lanes inside Requant.HighMul), else the reference.
            if (!Usable(p, input1, input1Start, input2, input2Start, output, outputStart))
            {
                Reference.AddInt16.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
                return;
            }
            Run(p, false, input1, input1Start, input2, input2Start, output, outputStart);
        }

        /// <summary>Whether <see cref="Run"/> serves this call on this machine (parameters in range, no partial aliasing).</summary>
        internal static bool Usable(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
        {
            if (!(Avx2.IsSupported || Vector128.IsHardwareAccelerated) || !BitConverter.IsLittleEndian
                || p.LeftShift < 0 || p.LeftShift > 31
                || p.Input1Shift > 0 || p.Input1Shift < -31 || p.Input2Shift > 0 || p.Input2Shift < -31
                || p.OutputShift > 0 || p.OutputShift < -31
                || p.ActivationMin < -32768 || p.ActivationMax > 32767 || p.ActivationMin > p.ActivationMax)
                return false;
            long n1 = p.FlatSize, n2 = p.FlatSize, no = p.FlatSize;
            if (p.Broadcast)
            {
                for (int d = 0; d < 4; d++)
                    if ((p.Input1Shape[d] != 1 && p.Input1Shape[d] != p.OutputShape[d]) || (p.Input2Shape[d] != 1 && p.Input2Shape[d] != p.OutputShape[d]))
                        return false;
                n1 = Elements(p.Input1Shape); n2 = Elements(p.Input2Shape); no = Elements(p.OutputShape);
            }
            if (no > int.MaxValue / 2) return false;
            if (!Alias.InBounds(input1, input1Start, 2 * n1) || !Alias.InBounds(input2, input2Start, 2 * n2) || !Alias.InBounds(output, outputStart, 2 * no))
                return false;
            return !Alias.Hazard(input1, input1Start, (int)(2 * n1), output, outputStart, (int)(2 * no), true)
                && !Alias.Hazard(input2, input2Start, (int)(2 * n2), output, outputStart, (int)(2 * no), true);
        }

        static long Elements(int[] shape) => (long)shape[0] * shape[1] * shape[2] * shape[3];

        /// <summary>Largest broadcast row rescaled once into a stack buffer (ints).</summary>
        const int MaxCachedRow = 2048;

        const int KindRaw = 0, KindCached = 1, KindSplat = 2;

        /// <summary>One input as the step reads it: raw int16 row, pre-rescaled int32 row, or one pre-rescaled value.</summary>
        struct Src
        {
            public short* Raw;
            public int* Cached;
            public int Splat;
            public int Kind;
        }

        /// <summary>The element operation's constants.</summary>
        struct C
        {
            public int Off1, Off2, LeftShift, M1, M2, MO, E1, E2, EO, OutOff, Min, Max;
            public bool Subtract;
        }

        internal static void Run(AddParams p, bool subtract, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            var c = new C
            {
                Off1 = p.Input1Offset, Off2 = p.Input2Offset, LeftShift = p.LeftShift,
                M1 = p.Input1Multiplier, M2 = p.Input2Multiplier, MO = p.OutputMultiplier,
                E1 = -p.Input1Shift, E2 = -p.Input2Shift, EO = -p.OutputShift,
                OutOff = p.OutputOffset, Min = p.ActivationMin, Max = p.ActivationMax, Subtract = subtract,
            };
            if (!p.Broadcast)
            {
                int n = p.FlatSize;
                if (n <= 0) return;
                fixed (byte* a0 = input1, b0 = input2, o0 = output)
                {
                    var a = new Src { Raw = (short*)(a0 + input1Start), Kind = KindRaw };
                    var b = new Src { Raw = (short*)(b0 + input2Start), Kind = KindRaw };
                    Row(ref c, a, b, (short*)(o0 + outputStart), n);
                }
                return;
            }

            int[] so = p.OutputShape;
            Strides(p.Input1Shape, out int st1D0, out int st1D1, out int st1D2, out int st1D3);
            Strides(p.Input2Shape, out int st2D0, out int st2D1, out int st2D2, out int st2D3);
            int len = so[3], rows = so[0] * so[1] * so[2];
            if (len <= 0 || rows <= 0) return;
            // A row that every output row reads (shape [1, 1, 1, len]) is rescaled once.
            bool cache1 = rows > 1 && len <= MaxCachedRow && st1D3 == 1 && st1D0 == 0 && st1D1 == 0 && st1D2 == 0;
            bool cache2 = rows > 1 && len <= MaxCachedRow && st2D3 == 1 && st2D0 == 0 && st2D1 == 0 && st2D2 == 0 && !cache1;
            int* cached = stackalloc int[cache1 || cache2 ? len + 8 : 8];
            fixed (byte* a0 = input1, b0 = input2, o0 = output)
            {
                short* a = (short*)(a0 + input1Start), b = (short*)(b0 + input2Start), o = (short*)(o0 + outputStart);
                if (cache1) ScaleRow(ref c, 1, a, cached, len);
                if (cache2) ScaleRow(ref c, 2, b, cached, len);
                for (int d0 = 0; d0 < so[0]; d0++)
                    for (int d1 = 0; d1 < so[1]; d1++)
                        for (int d2 = 0; d2 < so[2]; d2++)
                        {
                            int i1 = d0 * st1D0 + d1 * st1D1 + d2 * st1D2;
                            int i2 = d0 * st2D0 + d1 * st2D1 + d2 * st2D2;
                            Src sa = Input(ref c, 1, a + i1, st1D3, cache1, cached);
                            Src sb = Input(ref c, 2, b + i2, st2D3, cache2, cached);
                            Row(ref c, sa, sb, o, len);
                            o += len;
                        }
            }
        }

        static Src Input(ref C c, int which, short* row, int step, bool isCached, int* cached)
        {
            if (isCached) return new Src { Cached = cached, Kind = KindCached };
            if (step == 1) return new Src { Raw = row, Kind = KindRaw };
            return new Src { Splat = ScaleOne(ref c, which, *row), Kind = KindSplat };
        }

        /// <summary>Row-major strides of a 4-D input shape as read along the output; a size-1 dimension reads element 0 (stride 0).</summary>
        static void Strides(int[] shape, out int s0, out int s1, out int s2, out int s3)
        {
            s3 = shape[3] == 1 ? 0 : 1;
            s2 = shape[2] == 1 ? 0 : shape[3];
            s1 = shape[1] == 1 ? 0 : shape[2] * shape[3];
            s0 = shape[0] == 1 ? 0 : shape[1] * shape[2] * shape[3];
        }

        /// <summary>Input <paramref name="which"/>'s rescaling of one element, scalar (the reference's own arithmetic).</summary>
        static int ScaleOne(ref C c, int which, int x)
        {
            int off = which == 1 ? c.Off1 : c.Off2, m = which == 1 ? c.M1 : c.M2, e = which == 1 ? c.E1 : c.E2;
            int shifted = unchecked((off + x) * (1 << c.LeftShift));
            return FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted, m, -e);
        }

        /// <summary>Rescales <paramref name="n"/> elements of input <paramref name="which"/> into int32 <paramref name="dst"/> (room for n rounded up to 8).</summary>
        static void ScaleRow(ref C c, int which, short* src, int* dst, int n)
        {
            int off = which == 1 ? c.Off1 : c.Off2, m = which == 1 ? c.M1 : c.M2, e = which == 1 ? c.E1 : c.E2;
            short* t = stackalloc short[8];
            for (int i = 0; i < n; i += 8)
            {
                short* s = src + i;
                if (n - i < 8)
                {
                    for (int k = 0; k < 8; k++) t[k] = k < n - i ? s[k] : (short)0;
                    s = t;
                }
                if (Avx2.IsSupported)
                {
                    Vector256<int> v = Scale256(Avx2.ConvertToVector256Int32(s), off, c.LeftShift, m, e);
                    Vector256.Store(v, dst + i);
                }
                else
                {
                    Vector128<short> w = Vector128.Load(s);
                    Vector128.Store(Scale128(Vector128.WidenLower(w), off, c.LeftShift, m, e), dst + i);
                    Vector128.Store(Scale128(Vector128.WidenUpper(w), off, c.LeftShift, m, e), dst + i + 4);
                }
            }
        }

        static void Row(ref C c, Src a, Src b, short* o, int n)
        {
            int full = n & ~7, i = 0;
            if (Avx2.IsSupported)
                for (; i < full; i += 8) Step256(ref c, ref a, ref b, i, o + i);
            else
                for (; i < full; i += 8) Step128(ref c, ref a, ref b, i, o + i);
            if (i == n) return;
            // The last n % 8 through the same step: inputs copied to 8-element stack rows, output copied back.
            int rest = n - i;
            short* ta = stackalloc short[8], tb = stackalloc short[8], to = stackalloc short[8];
            int* ca = stackalloc int[8], cb = stackalloc int[8];
            for (int k = 0; k < 8; k++) { ta[k] = 0; tb[k] = 0; ca[k] = 0; cb[k] = 0; }
            for (int k = 0; k < rest; k++)
            {
                if (a.Kind == KindRaw) ta[k] = a.Raw[i + k];
                if (a.Kind == KindCached) ca[k] = a.Cached[i + k];
                if (b.Kind == KindRaw) tb[k] = b.Raw[i + k];
                if (b.Kind == KindCached) cb[k] = b.Cached[i + k];
            }
            var la = new Src { Raw = ta, Cached = ca, Splat = a.Splat, Kind = a.Kind };
            var lb = new Src { Raw = tb, Cached = cb, Splat = b.Splat, Kind = b.Kind };
            if (Avx2.IsSupported) Step256(ref c, ref la, ref lb, 0, to);
            else Step128(ref c, ref la, ref lb, 0, to);
            for (int k = 0; k < rest; k++) o[i + k] = to[k];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Scale256(Vector256<int> x, int off, int leftShift, int m, int e) =>
            Add.Rdbpot256(Requant.HighMul256(Avx2.ShiftLeftLogical(x + Vector256.Create(off), Vector128.CreateScalar(leftShift)),
                Vector256.Create(m)), e);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Scale128(Vector128<int> x, int off, int leftShift, int m, int e) =>
            Add.Rdbpot128(Requant.HighMul(Vector128.ShiftLeft(x + Vector128.Create(off), leftShift), Vector128.Create(m)), e);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Get256(ref C c, ref Src s, int which, int i)
        {
            if (s.Kind == KindRaw)
                return which == 1 ? Scale256(Avx2.ConvertToVector256Int32(s.Raw + i), c.Off1, c.LeftShift, c.M1, c.E1)
                    : Scale256(Avx2.ConvertToVector256Int32(s.Raw + i), c.Off2, c.LeftShift, c.M2, c.E2);
            if (s.Kind == KindCached) return Vector256.Load(s.Cached + i);
            return Vector256.Create(s.Splat);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step256(ref C c, ref Src a, ref Src b, int i, short* o)
        {
            Vector256<int> x1 = Get256(ref c, ref a, 1, i), x2 = Get256(ref c, ref b, 2, i);
            Vector256<int> raw = c.Subtract ? x1 - x2 : x1 + x2;
            Vector256<int> r = Add.Rdbpot256(Requant.HighMul256(raw, Vector256.Create(c.MO)), c.EO) + Vector256.Create(c.OutOff);
            r = Avx2.Min(Avx2.Max(r, Vector256.Create(c.Min)), Vector256.Create(c.Max));
            Vector128.Store(Sse2.PackSignedSaturate(r.GetLower(), r.GetUpper()), o); // in [-32768, 32767]: exact
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Get128(ref C c, ref Src s, int which, int i, bool upper)
        {
            if (s.Kind == KindRaw)
            {
                Vector128<short> w = Vector128.Load(s.Raw + i);
                Vector128<int> x = upper ? Vector128.WidenUpper(w) : Vector128.WidenLower(w);
                return which == 1 ? Scale128(x, c.Off1, c.LeftShift, c.M1, c.E1) : Scale128(x, c.Off2, c.LeftShift, c.M2, c.E2);
            }
            if (s.Kind == KindCached) return Vector128.Load(s.Cached + i + (upper ? 4 : 0));
            return Vector128.Create(s.Splat);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Out128(ref C c, Vector128<int> x1, Vector128<int> x2)
        {
            Vector128<int> raw = c.Subtract ? x1 - x2 : x1 + x2;
            Vector128<int> r = Add.Rdbpot128(Requant.HighMul(raw, Vector128.Create(c.MO)), c.EO) + Vector128.Create(c.OutOff);
            return Vector128.Min(Vector128.Max(r, Vector128.Create(c.Min)), Vector128.Create(c.Max));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step128(ref C c, ref Src a, ref Src b, int i, short* o)
        {
            Vector128<int> lo = Out128(ref c, Get128(ref c, ref a, 1, i, false), Get128(ref c, ref b, 2, i, false));
            Vector128<int> hi = Out128(ref c, Get128(ref c, ref a, 1, i, true), Get128(ref c, ref b, 2, i, true));
            Vector128.Store(Vector128.Narrow(lo, hi), o); // in [-32768, 32767]: narrowing is exact
        }
    }
}

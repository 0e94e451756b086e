using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// QUANTIZE between integer types (int8, int16, int32 in; int8, int16, int32 out), bit-exact with
    /// <see cref="Reference.Quantize"/> (TFLM Requantize): out = clamp(MultiplyByQuantizedMultiplier(x + InputOffset)
    /// + OutputOffset) to the output type, the additions wrapping. 8 elements per step in int32 lanes (AVX2: one ymm;
    /// else two Vector128 halves), one loop per type pair (generic over the element types, so each is specialized);
    /// the last Size % 8 through the same step via stack copies. float32 input, other types and shifts outside
    /// [-31, 31] run the reference kernel.
    /// </summary>
    public static unsafe class Quantize
    {
        public static void Eval(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: AVX2 8 int32 lanes, else portable Vector128 halves, else the reference.
            int inSize = Size(p.InputType), outSize = Size(p.OutputType), n = p.Size;
            if (!(Avx2.IsSupported || Vector128.IsHardwareAccelerated) || !BitConverter.IsLittleEndian
                || inSize == 0 || outSize == 0 || p.OutputShift < -31 || p.OutputShift > 31 || n > int.MaxValue / 4
                || !Alias.InBounds(input, inputStart, (long)inSize * n) || !Alias.InBounds(output, outputStart, (long)outSize * n)
                || Alias.Hazard(input, inputStart, inSize * n, output, outputStart, outSize * n, inSize == outSize))
            {
                Reference.Quantize.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            if (n <= 0) return;
            var c = new C
            {
                InOff = p.InputOffset, OutOff = p.OutputOffset, M = p.OutputMultiplier,
                Left = p.OutputShift > 0 ? p.OutputShift : 0, Right = p.OutputShift > 0 ? 0 : -p.OutputShift,
            };
            fixed (byte* i0 = input, o0 = output)
            {
                byte* x = i0 + inputStart, o = o0 + outputStart;
                switch (inSize * 8 + outSize)
                {
                    case 1 * 8 + 1: Loop<I8, I8>(ref c, x, o, n); break;
                    case 1 * 8 + 2: Loop<I8, I16>(ref c, x, o, n); break;
                    case 1 * 8 + 4: Loop<I8, I32>(ref c, x, o, n); break;
                    case 2 * 8 + 1: Loop<I16, I8>(ref c, x, o, n); break;
                    case 2 * 8 + 2: Loop<I16, I16>(ref c, x, o, n); break;
                    case 2 * 8 + 4: Loop<I16, I32>(ref c, x, o, n); break;
                    case 4 * 8 + 1: Loop<I32, I8>(ref c, x, o, n); break;
                    case 4 * 8 + 2: Loop<I32, I16>(ref c, x, o, n); break;
                    default: Loop<I32, I32>(ref c, x, o, n); break;
                }
            }
        }

        /// <summary>Bytes per element of the integer types served here, 0 for the others.</summary>
        static int Size(int dtype) => dtype == DataType.Int8 ? 1 : dtype == DataType.Int16 ? 2 : dtype == DataType.Int32 ? 4 : 0;

        struct C { public int InOff, OutOff, M, Left, Right; }

        static void Loop<TIn, TOut>(ref C c, byte* x, byte* o, int n) where TIn : struct, IElement where TOut : struct, IElement
        {
            int inSize = default(TIn).Size, outSize = default(TOut).Size;
            int full = n & ~7, i = 0;
            if (Avx2.IsSupported)
                for (; i < full; i += 8) Step256<TIn, TOut>(ref c, x + i * inSize, o + i * outSize);
            else
                for (; i < full; i += 8) Step128<TIn, TOut>(ref c, x + i * inSize, o + i * outSize);
            if (i == n) return;
            int rest = n - i;
            long* tx = stackalloc long[4], to = stackalloc long[4]; // 8 elements of up to 4 bytes
            for (int k = 0; k < 4; k++) tx[k] = 0;
            Buffer.MemoryCopy(x + i * inSize, tx, 32, rest * inSize);
            if (Avx2.IsSupported) Step256<TIn, TOut>(ref c, (byte*)tx, (byte*)to);
            else Step128<TIn, TOut>(ref c, (byte*)tx, (byte*)to);
            Buffer.MemoryCopy(to, o + i * outSize, rest * outSize, rest * outSize);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step256<TIn, TOut>(ref C c, byte* x, byte* o) where TIn : struct, IElement where TOut : struct, IElement
        {
            Vector256<int> v = default(TIn).Load256(x) + Vector256.Create(c.InOff);
            v = LeakyReluInt16.Mbqm256(v, c.M, c.Left, c.Right) + Vector256.Create(c.OutOff);
            TOut t = default;
            if (t.Size < 4) v = Avx2.Min(Avx2.Max(v, Vector256.Create(t.Min)), Vector256.Create(t.Max));
            t.Store(v.GetLower(), v.GetUpper(), o);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step128<TIn, TOut>(ref C c, byte* x, byte* o) where TIn : struct, IElement where TOut : struct, IElement
        {
            default(TIn).Load128(x, out Vector128<int> lo, out Vector128<int> hi);
            TOut t = default;
            t.Store(Lanes128(ref c, lo, t), Lanes128(ref c, hi, t), o);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Lanes128<TOut>(ref C c, Vector128<int> x, TOut t) where TOut : struct, IElement
        {
            Vector128<int> v = LeakyReluInt16.Mbqm128(x + Vector128.Create(c.InOff), c.M, c.Left, c.Right) + Vector128.Create(c.OutOff);
            if (t.Size < 4) v = Vector128.Min(Vector128.Max(v, Vector128.Create(t.Min)), Vector128.Create(t.Max));
            return v;
        }

        /// <summary>An element type: 8 elements loaded sign-extended to int32 lanes, 8 lanes (already in range) stored.</summary>
        interface IElement
        {
            int Size { get; }
            int Min { get; }
            int Max { get; }
            Vector256<int> Load256(byte* p);
            void Load128(byte* p, out Vector128<int> lo, out Vector128<int> hi);
            void Store(Vector128<int> lo, Vector128<int> hi, byte* p);
        }

        struct I8 : IElement
        {
            public int Size => 1;
            public int Min => -128;
            public int Max => 127;
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector256<int> Load256(byte* p) => Avx2.ConvertToVector256Int32((sbyte*)p);
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Load128(byte* p, out Vector128<int> lo, out Vector128<int> hi)
            {
                Vector128<short> w = Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(p)).AsSByte());
                lo = Vector128.WidenLower(w); hi = Vector128.WidenUpper(w);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Store(Vector128<int> lo, Vector128<int> hi, byte* p)
            {
                Vector128<short> s = Sse2.IsSupported ? Sse2.PackSignedSaturate(lo, hi) : Vector128.Narrow(lo, hi);
                Vector128<sbyte> b = Sse2.IsSupported ? Sse2.PackSignedSaturate(s, s) : Vector128.Narrow(s, s);
                Unsafe.WriteUnaligned(p, b.AsInt64().ToScalar());
            }
        }

        struct I16 : IElement
        {
            public int Size => 2;
            public int Min => -32768;
            public int Max => 32767;
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector256<int> Load256(byte* p) => Avx2.ConvertToVector256Int32((short*)p);
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Load128(byte* p, out Vector128<int> lo, out Vector128<int> hi)
            {
                Vector128<short> w = Vector128.Load((short*)p);
                lo = Vector128.WidenLower(w); hi = Vector128.WidenUpper(w);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Store(Vector128<int> lo, Vector128<int> hi, byte* p) =>
                Vector128.Store(Sse2.IsSupported ? Sse2.PackSignedSaturate(lo, hi) : Vector128.Narrow(lo, hi), (short*)p);
        }

        struct I32 : IElement
        {
            public int Size => 4;
            public int Min => int.MinValue;
            public int Max => int.MaxValue;
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public Vector256<int> Load256(byte* p) => Vector256.Load((int*)p);
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Load128(byte* p, out Vector128<int> lo, out Vector128<int> hi)
            {
                lo = Vector128.Load((int*)p); hi = Vector128.Load((int*)p + 4);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Store(Vector128<int> lo, Vector128<int> hi, byte* p)
            {
                Vector128.Store(lo, (int*)p); Vector128.Store(hi, (int*)p + 4);
            }
        }
    }
}

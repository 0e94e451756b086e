using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// Vectorized requantization, 4 output channels at once, bit-exact with
    /// <see cref="FixedPoint.RequantizeChannel(int, byte[], int, byte[], int, int, int, int, int, int, int)"/>
    /// (TFLM's double-rounding MultiplyByQuantizedMultiplier: wrapping bias add, wrapping x·2^left,
    /// SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, + output offset, clamp).
    ///
    /// The per-channel constants are unpacked once per kernel call into a table on the caller's
    /// stack (<see cref="Build"/>): per block of 4 channels, 5 vectors (bias, multiplier,
    /// 2^leftShift, rightShift, 2^rightShift − 1). Channels past the last are padded with a neutral
    /// entry so a partial block can be computed as a full one (the caller stores only the valid lanes).
    ///
    /// SaturatingRoundingDoublingHighMul: gemmlowp's nudge-then-truncating-divide equals
    /// floor((a·b + 2^30) / 2^31) for both signs, and the result fits int32 except for
    /// a = b = int.MinValue (2^31, wraps to int.MinValue; no other product rounds to int.MinValue),
    /// so bits 31..62 of the 64-bit sum are the answer and int.MinValue is flipped to int.MaxValue.
    /// </summary>
    public static unsafe class Requant
    {
        /// <summary>Ints of table per output channel block of 4 (5 vectors of 4 lanes).</summary>
        public const int IntsPerBlock = 20;

        /// <summary>Table size in ints for <paramref name="channels"/> channels.</summary>
        public static int TableInts(int channels) => (channels + 3) / 4 * IntsPerBlock;

        /// <summary>
        /// Fills <paramref name="table"/> (<see cref="TableInts"/> ints, 16-byte granularity) for channels
        /// [0, channels): bias of channel c (0 without bias), and multiplier/shift entry c · quantStride.
        /// </summary>
        public static void Build(int* table, int channels, byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, int quantStride)
        {
            int blocks = (channels + 3) / 4;
            for (int blk = 0; blk < blocks; blk++)
            {
                int* t = table + blk * IntsPerBlock;
                for (int k = 0; k < 4; k++)
                {
                    int c = blk * 4 + k;
                    int b = 0, m = 0, shift = 0;
                    if (c < channels)
                    {
                        if (biasStart >= 0) b = Unsafe.ReadUnaligned<int>(ref bias[biasStart + 4 * c]);
                        m = Unsafe.ReadUnaligned<int>(ref quant[multiplierStart + 4 * c * quantStride]);
                        shift = Unsafe.ReadUnaligned<int>(ref quant[shiftStart + 4 * c * quantStride]);
                        if (!System.BitConverter.IsLittleEndian)
                        {
                            b = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(b);
                            m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(m);
                            shift = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(shift);
                        }
                    }
                    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
                    t[k] = b;
                    t[4 + k] = m;
                    t[8 + k] = unchecked(1 << left);
                    t[12 + k] = right;
                    t[16 + k] = (int)((1L << right) - 1);
                }
            }
        }

        /// <summary>Ints of an 8-lane table (<see cref="Build8"/>) per block of 8 channels: 6 vectors of 8 lanes.</summary>
        public const int IntsPerBlock8 = 48;

        /// <summary>8-lane table size in ints for <paramref name="channels"/> channels.</summary>
        public static int Table8Ints(int channels) => (channels + 7) / 8 * IntsPerBlock8;

        /// <summary>
        /// <see cref="Build"/> in the 8-lane layout read by <see cref="Apply256T"/>: per block of 8 channels,
        /// bias[8], multiplier[8], left[8] (mod 32: x · (1 &lt;&lt; left) wraps as x &lt;&lt; (left &amp; 31)), right[8],
        /// 2^right − 1 [8], (2^right − 1) &gt;&gt; 1 [8] (each a plain 32-byte load, no lane inserts).
        /// Channels past the last get a neutral entry.
        /// </summary>
        public static void Build8(int* table, int channels, byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, int quantStride)
        {
            int blocks = (channels + 7) / 8;
            for (int blk = 0; blk < blocks; blk++)
            {
                int* t = table + blk * IntsPerBlock8;
                for (int k = 0; k < 8; k++)
                {
                    int c = blk * 8 + k;
                    int b = 0, m = 0, shift = 0;
                    if (c < channels)
                    {
                        if (biasStart >= 0) b = Unsafe.ReadUnaligned<int>(ref bias[biasStart + 4 * c]);
                        m = Unsafe.ReadUnaligned<int>(ref quant[multiplierStart + 4 * c * quantStride]);
                        shift = Unsafe.ReadUnaligned<int>(ref quant[shiftStart + 4 * c * quantStride]);
                        if (!System.BitConverter.IsLittleEndian)
                        {
                            b = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(b);
                            m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(m);
                            shift = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(shift);
                        }
                    }
                    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
                    t[k] = b;
                    t[8 + k] = m;
                    t[16 + k] = left & 31;
                    t[24 + k] = right;
                    t[32 + k] = (int)((1L << right) - 1);
                    t[40 + k] = (int)((1L << right) - 1) >> 1;
                }
            }
        }

        /// <summary><see cref="Apply256"/> with an 8-lane table block (<see cref="Build8"/>): same arithmetic, plain loads.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply256T(Vector256<int> acc, int* t, Vector256<int> outputOffset, Vector256<int> min, Vector256<int> max)
        {
            Vector256<int> x = Avx2.ShiftLeftLogicalVariable(acc + Avx.LoadVector256(t), Avx.LoadVector256(t + 16).AsUInt32()); // wrapping: + bias, · 2^left
            x = HighMul256(x, Avx.LoadVector256(t + 8));
            Vector256<int> remainder = x & Avx.LoadVector256(t + 32);
            Vector256<int> threshold = Avx.LoadVector256(t + 40) - Avx2.ShiftRightArithmetic(x, 31);
            x = Avx2.ShiftRightArithmeticVariable(x, Avx.LoadVector256(t + 24).AsUInt32()) - Avx2.CompareGreaterThan(remainder, threshold);
            return Avx2.Min(Avx2.Max(x + outputOffset, min), max);
        }

        /// <summary>
        /// Adds (offset − 128) · Σ_{i &lt; prefix} w[c][i] to the bias of every channel c of the full blocks
        /// (c &lt; channels rounded down to 4; filter rows <paramref name="stride"/> apart), wrapping: the
        /// correction that turns <see cref="DotLeaf.Dot4AvxVnniU8"/>'s sums into Σ w·(x + offset).
        /// </summary>
        public static void AddToBias(int* table, int channels, sbyte* w, int stride, int prefix, int offset)
        {
            int full = channels & ~3;
            for (int c = 0; c < full; c++)
            {
                sbyte* row = w + c * stride;
                int sum = 0;
                for (int i = 0; i < prefix; i++) sum += row[i];
                table[c / 4 * IntsPerBlock + c % 4] += (offset - 128) * sum;
            }
        }

        /// <summary>Requantizes 4 accumulators with table block <paramref name="t"/>; returns int32 lanes in [min, max].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Apply(Vector128<int> acc, int* t, Vector128<int> outputOffset, Vector128<int> min, Vector128<int> max)
        {
            if (AdvSimd.Arm64.IsSupported)
            {
                // ARM64 (round 4): sqrdmulh is SaturatingRoundingDoublingHighMul exactly (floor((a·b + 2^30) / 2^31),
                // int.MinValue² saturating to int.MaxValue). srshl by −right rounds ties up; RoundingDivideByPOT rounds
                // them away from zero, so negative x first gets −1 (saturating: int.MinValue stays, and still divides
                // to int.MinValue >> right). Proven under qemu by tools/arm64-check against a C oracle.
                Vector128<int> y = AdvSimd.Multiply(AdvSimd.Add(acc, *(Vector128<int>*)t), *(Vector128<int>*)(t + 8));
                y = AdvSimd.MultiplyRoundedDoublingSaturateHigh(y, *(Vector128<int>*)(t + 4));
                Vector128<int> negRight = AdvSimd.Negate(*(Vector128<int>*)(t + 12));
                Vector128<int> fixup = AdvSimd.ShiftRightArithmetic(AdvSimd.And(y, negRight), 31);
                y = AdvSimd.ShiftArithmeticRounded(AdvSimd.AddSaturate(y, fixup), negRight);
                return AdvSimd.Min(AdvSimd.Max(AdvSimd.Add(y, outputOffset), min), max);
            }
            Vector128<int> x = (acc + *(Vector128<int>*)t) * *(Vector128<int>*)(t + 8); // wrapping: + bias, · 2^left
            x = HighMul(x, *(Vector128<int>*)(t + 4));
            // RoundingDivideByPOT: floor shift, +1 when the remainder is above half (at least half for x < 0).
            Vector128<int> mask = *(Vector128<int>*)(t + 16);
            Vector128<int> remainder = x & mask;
            Vector128<int> threshold = Vector128.ShiftRightArithmetic(mask, 1) - Vector128.ShiftRightArithmetic(x, 31);
            x = ShiftRightVariable(x, *(Vector128<int>*)(t + 12)) - Vector128.GreaterThan(remainder, threshold);
            return Vector128.Min(Vector128.Max(x + outputOffset, min), max);
        }

        /// <summary>
        /// <see cref="Apply"/> on 8 channels with AVX2: lanes 0..3 from table block <paramref name="t"/>,
        /// lanes 4..7 from the next block (<paramref name="t"/> + <see cref="IntsPerBlock"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply256(Vector256<int> acc, int* t, Vector256<int> outputOffset, Vector256<int> min, Vector256<int> max)
        {
            int* u = t + IntsPerBlock;
            Vector256<int> x = Avx2.MultiplyLow(acc + Vector256.Create(*(Vector128<int>*)t, *(Vector128<int>*)u),
                Vector256.Create(*(Vector128<int>*)(t + 8), *(Vector128<int>*)(u + 8))); // wrapping: + bias, · 2^left
            x = HighMul256(x, Vector256.Create(*(Vector128<int>*)(t + 4), *(Vector128<int>*)(u + 4)));
            Vector256<int> mask = Vector256.Create(*(Vector128<int>*)(t + 16), *(Vector128<int>*)(u + 16));
            Vector256<int> remainder = x & mask;
            Vector256<int> threshold = Avx2.ShiftRightArithmetic(mask, 1) - Avx2.ShiftRightArithmetic(x, 31);
            x = Avx2.ShiftRightArithmeticVariable(x, Vector256.Create(*(Vector128<int>*)(t + 12), *(Vector128<int>*)(u + 12)).AsUInt32())
                - Avx2.CompareGreaterThan(remainder, threshold);
            return Avx2.Min(Avx2.Max(x + outputOffset, min), max);
        }

        /// <summary>
        /// <see cref="Apply256"/> from the raw per-channel values (no table): bias, multiplier and shift of 8
        /// channels as lanes; 2^left and the remainder mask come from vpsllvd (shifts in TFLM's range [-31, 30]).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply256Raw(Vector256<int> acc, Vector256<int> bias, Vector256<int> multiplier, Vector256<int> shift,
            Vector256<int> outputOffset, Vector256<int> min, Vector256<int> max)
        {
            Vector256<int> one = Vector256.Create(1);
            Vector256<int> left = Avx2.Max(shift, Vector256<int>.Zero), right = left - shift;
            Vector256<int> x = Avx2.MultiplyLow(acc + bias, Avx2.ShiftLeftLogicalVariable(one, left.AsUInt32())); // wrapping: + bias, · 2^left
            x = HighMul256(x, multiplier);
            Vector256<int> mask = Avx2.ShiftLeftLogicalVariable(one, right.AsUInt32()) - one;
            Vector256<int> remainder = x & mask;
            Vector256<int> threshold = Avx2.ShiftRightArithmetic(mask, 1) - Avx2.ShiftRightArithmetic(x, 31);
            x = Avx2.ShiftRightArithmeticVariable(x, right.AsUInt32()) - Avx2.CompareGreaterThan(remainder, threshold);
            return Avx2.Min(Avx2.Max(x + outputOffset, min), max);
        }

        /// <summary><see cref="HighMul"/> on 8 lanes (AVX2): vpmuldq on the even lanes and on the odd lanes moved down, bits 31..62.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> HighMul256(Vector256<int> a, Vector256<int> b)
        {
            Vector256<long> nudge = Vector256.Create(1L << 30);
            Vector256<long> even = Avx2.ShiftRightLogical(Avx2.Multiply(a, b) + nudge, 31);
            Vector256<long> odd = Avx2.ShiftRightLogical(
                Avx2.Multiply(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), Avx2.ShiftRightLogical(b.AsInt64(), 32).AsInt32()) + nudge, 31);
            Vector256<int> r = (even & Vector256.Create(0xFFFFFFFFL)).AsInt32() | Avx2.ShiftLeftLogical(odd, 32).AsInt32();
            return r ^ Avx2.CompareEqual(r, Vector256.Create(int.MinValue)); // int.MinValue·int.MinValue saturates to int.MaxValue
        }

        /// <summary>Stores 8 lanes (values already narrowed by the clamp) as int8 at <paramref name="dst"/> (truncating, as <see cref="Store"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store8(Vector256<int> v, byte* dst)
        {
            if (Avx2.IsSupported)
            {
                // Low byte of each lane: vpshufb within each half (bytes 0, 4, 8, 12 to dword 0), vpermd dwords 0 and 4 together.
                Vector256<byte> b = Avx2.Shuffle(v.AsByte(), Vector256.Create((byte)0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                    0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80));
                Unsafe.WriteUnaligned(dst, Avx2.PermuteVar8x32(b.AsInt32(), Vector256.Create(0, 4, 0, 0, 0, 0, 0, 0)).AsInt64().GetLower().ToScalar());
                return;
            }
            Vector128<short> s = Vector128.Narrow(v.GetLower(), v.GetUpper());
            Unsafe.WriteUnaligned(dst, Vector128.Narrow(s, s).AsInt64().ToScalar());
        }

        /// <summary>SaturatingRoundingDoublingHighMul on 4 lanes (see the class comment for why this is exact).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> HighMul(Vector128<int> a, Vector128<int> b)
        {
            // ARM64 (round 4): sqrdmulh computes exactly this, saturation included (tools/arm64-check runs it under qemu).
            if (AdvSimd.IsSupported) return AdvSimd.MultiplyRoundedDoublingSaturateHigh(a, b);
            Vector128<long> nudge = Vector128.Create(1L << 30);
            Vector128<int> r;
            if (Sse41.IsSupported)
            {
                // pmuldq on the even lanes, then on the odd lanes moved down; bits 31..62 of each sum.
                Vector128<long> even = Sse2.ShiftRightLogical(Sse41.Multiply(a, b) + nudge, 31);
                Vector128<long> odd = Sse2.ShiftRightLogical(
                    Sse41.Multiply(Sse2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), Sse2.ShiftRightLogical(b.AsInt64(), 32).AsInt32()) + nudge, 31);
                r = (even & Vector128.Create(0xFFFFFFFFL)).AsInt32() | Sse2.ShiftLeftLogical(odd, 32).AsInt32();
            }
            else
            {
                // Portable (other Vector128 hardware): int64 products of the widened halves.
                Vector128<long> lo = Vector128.ShiftRightLogical(Vector128.WidenLower(a) * Vector128.WidenLower(b) + nudge, 31);
                Vector128<long> hi = Vector128.ShiftRightLogical(Vector128.WidenUpper(a) * Vector128.WidenUpper(b) + nudge, 31);
                r = Vector128.Narrow(lo, hi);
            }
            return r ^ Vector128.Equals(r, Vector128.Create(int.MinValue)); // int.MinValue·int.MinValue saturates to int.MaxValue
        }

        /// <summary>x &gt;&gt; s per lane (arithmetic), s in [0, 31].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> ShiftRightVariable(Vector128<int> x, Vector128<int> s)
        {
            // AdvSimd first: crossgen2's arm64 code asks the runtime about Avx2 (a call), about AdvSimd not.
            if (AdvSimd.IsSupported) return AdvSimd.ShiftArithmetic(x, AdvSimd.Negate(s));      // sshl by −s
            if (Avx2.IsSupported) return Avx2.ShiftRightArithmeticVariable(x, s.AsUInt32()); // vpsravd
            return Vector128.Create(x.GetElement(0) >> s.GetElement(0), x.GetElement(1) >> s.GetElement(1),
                x.GetElement(2) >> s.GetElement(2), x.GetElement(3) >> s.GetElement(3));
        }

        /// <summary>Stores the 4 lanes (values already in [-128, 127]) as int8 at <paramref name="dst"/>, the first <paramref name="count"/> of them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<int> v, byte* dst, int count)
        {
            Vector128<short> s = Vector128.Narrow(v, v);
            int packed = Vector128.Narrow(s, s).AsInt32().ToScalar();
            if (count >= 4) { Unsafe.WriteUnaligned(dst, packed); return; }
            for (int k = 0; k < count; k++) dst[k] = (byte)(packed >> (8 * k));
        }
    }
}

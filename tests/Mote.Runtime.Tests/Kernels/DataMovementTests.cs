using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;
using static Mote.Runtime.Tests.Kernels.QuantizeVariantTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>STRIDED_SLICE, TRANSPOSE, PAD int16 and DEQUANTIZE kernels against hand-computed layouts.</summary>
    public class DataMovementTests
    {
        static StridedSliceParams Slice(int elementSize, int[] inputShape5, int[] start, int[] count, int[] step)
        {
            var strides = new int[5];
            int s = 1;
            for (int d = 4; d >= 0; d--) { strides[d] = s; s *= inputShape5[d]; }
            return new StridedSliceParams { ElementSize = elementSize, Start = start, Count = count, Step = step, InputStrides = strides };
        }

        [Fact]
        public void StridedSlice_NegativeStrideAlongOnlyAxis_ReadsBackwards()
        {
            // [5] = 10..14, start 4, step -2, 3 elements: 14, 12, 10.
            var p = Slice(1, new[] { 1, 1, 1, 1, 5 }, new[] { 0, 0, 0, 0, 4 }, new[] { 1, 1, 1, 1, 3 }, new[] { 1, 1, 1, 1, -2 });
            var output = new byte[3];
            StridedSlice.Eval(p, I8(10, 11, 12, 13, 14), 0, output, 0);
            Assert.Equal(new[] { 14, 12, 10 }, ReadI8(output, 0, 3));
        }

        [Fact]
        public void StridedSlice_Int16BothAxesReversedNonContiguous_MatchesHandLayout()
        {
            // [3,4] int16, v = 100 r + c. Rows 2, 1 (step -1), columns 3, 0 (step -3): 203, 200, 103, 100.
            var input = I16(0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203);
            var p = Slice(2, new[] { 1, 1, 1, 3, 4 }, new[] { 0, 0, 0, 2, 3 }, new[] { 1, 1, 1, 2, 2 }, new[] { 1, 1, 1, -1, -3 });
            var output = new byte[8];
            StridedSlice.Eval(p, input, 0, output, 0);
            Assert.Equal(new[] { 203, 200, 103, 100 }, ReadI16(output, 0, 4));
        }

        [Fact]
        public void StridedSlice_ContiguousInnerRunWithOffsets_CopiesRows()
        {
            // [2,3] int8 = 1..6 stored from offset 2; rows 0..1, columns 1..2 (inner step 1: whole runs): 2, 3, 5, 6, written from offset 1.
            var p = Slice(1, new[] { 1, 1, 1, 2, 3 }, new[] { 0, 0, 0, 0, 1 }, new[] { 1, 1, 1, 2, 2 }, new[] { 1, 1, 1, 1, 1 });
            var output = new byte[5];
            StridedSlice.Eval(p, I8(0, 0, 1, 2, 3, 4, 5, 6), 2, output, 1);
            Assert.Equal(new[] { 0, 2, 3, 5, 6 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void StridedSlice_OuterAxisStep_SkipsWholeBlocks()
        {
            // [4,1,1,1,2] int8 = 0..7: axis 0 from 3 step -2 (3, 1), all of axis 4: 6, 7, 2, 3.
            var p = Slice(1, new[] { 4, 1, 1, 1, 2 }, new[] { 3, 0, 0, 0, 0 }, new[] { 2, 1, 1, 1, 2 }, new[] { -2, 1, 1, 1, 1 });
            var output = new byte[4];
            StridedSlice.Eval(p, I8(0, 1, 2, 3, 4, 5, 6, 7), 0, output, 0);
            Assert.Equal(new[] { 6, 7, 2, 3 }, ReadI8(output, 0, 4));
        }

        static TransposeParams Perm(int elementSize, int[] inputShape5, int[] perm)
        {
            var strides = new int[5];
            int s = 1;
            for (int d = 4; d >= 0; d--) { strides[d] = s; s *= inputShape5[d]; }
            var p = new TransposeParams { ElementSize = elementSize, OutputShape = new int[5], InputStrides = new int[5] };
            for (int k = 0; k < 5; k++) { p.OutputShape[k] = inputShape5[perm[k]]; p.InputStrides[k] = strides[perm[k]]; }
            return p;
        }

        [Fact]
        public void Transpose_Int8Matrix_SwapsRowsAndColumns()
        {
            // [2,3] = 1..6 -> [3,2] = 1 4 / 2 5 / 3 6.
            var p = Perm(1, new[] { 1, 1, 1, 2, 3 }, new[] { 0, 1, 2, 4, 3 });
            var output = new byte[6];
            Transpose.Eval(p, I8(1, 2, 3, 4, 5, 6), 0, output, 0);
            Assert.Equal(new[] { 1, 4, 2, 5, 3, 6 }, ReadI8(output, 0, 6));
        }

        [Fact]
        public void Transpose_FourByteElementsPerm201_MovesWholeElements()
        {
            // [1,2,3] int32 a[0][j][k] = 1000 + 3j + k; perm [2,0,1] -> [3,1,2], out[k][0][j] = a[0][j][k]:
            // 1000, 1003, 1001, 1004, 1002, 1005 (multi-byte values check that bytes stay together).
            var p = Perm(4, new[] { 1, 1, 1, 2, 3 }, new[] { 0, 1, 4, 2, 3 });
            var output = new byte[24];
            Transpose.Eval(p, I32(1000, 1001, 1002, 1003, 1004, 1005), 0, output, 0);
            Assert.Equal(new[] { 1000, 1003, 1001, 1004, 1002, 1005 }, ReadI32(output, 0, 6));
        }

        [Fact]
        public void Transpose_FiveDimensionsReversed_MatchesIndexFormula()
        {
            // [2,3,1,2,2] int16 with value = flat input index; perm [4,3,2,1,0]: out[a][b][c][d][e] = in[e][d][c][b][a].
            int[] shape = { 2, 3, 1, 2, 2 };
            var values = new int[24];
            for (int i = 0; i < 24; i++) values[i] = i - 7;
            var p = Perm(2, shape, new[] { 4, 3, 2, 1, 0 });
            var output = new byte[48];
            Transpose.Eval(p, I16(values), 0, output, 0);
            var actual = ReadI16(output, 0, 24);
            int o = 0;
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    for (int c = 0; c < 1; c++)
                        for (int d = 0; d < 3; d++)
                            for (int e = 0; e < 2; e++)
                                Assert.Equal(values[(((e * 3 + d) * 1 + c) * 2 + b) * 2 + a], actual[o++]);
        }

        [Fact]
        public void Pad_Int16_WritesPadValueLittleEndianAndCopiesPairs()
        {
            // [2] int16 = (-32768, 32767), left 1, right 2, pad value -300 (0xFED4).
            var p = new PadParams { PadValue = -300, ElementSize = 2, InputShape = new[] { 1, 1, 1, 1, 2 }, OutputShape = new[] { 1, 1, 1, 1, 5 },
                LeftPadding = new[] { 0, 0, 0, 0, 1 }, RightPadding = new[] { 0, 0, 0, 0, 2 } };
            var output = new byte[10];
            Pad.Eval(p, I16(-32768, 32767), 0, output, 0);
            Assert.Equal(new[] { -300, -32768, 32767, -300, -300 }, ReadI16(output, 0, 5));
        }

        [Fact]
        public void Pad_Int16TwoDimensions_PadsRowsAndColumns()
        {
            // [1,2] = (1, 2) padded by [[1,0],[0,1]] with 7: 7 7 7 / 1 2 7.
            var p = new PadParams { PadValue = 7, ElementSize = 2, InputShape = new[] { 1, 1, 1, 1, 2 }, OutputShape = new[] { 1, 1, 1, 2, 3 },
                LeftPadding = new[] { 0, 0, 0, 1, 0 }, RightPadding = new[] { 0, 0, 0, 0, 1 } };
            var output = new byte[12];
            Pad.Eval(p, I16(1, 2), 0, output, 0);
            Assert.Equal(new[] { 7, 7, 7, 1, 2, 7 }, ReadI16(output, 0, 6));
        }

        static DequantizeParams Dq(int dtype, int size, int zeroPoint, float scale)
        {
            int bits = BitConverter.SingleToInt32Bits(scale);
            int e = (bits >> 23) & 0xFF, f = bits & 0x7FFFFF;
            return new DequantizeParams { Size = size, InputType = dtype, ZeroPoint = zeroPoint,
                ScaleSignificand = e == 0 ? f : f | (1 << 23), ScaleExponent = (e == 0 ? 1 : e) - 150 };
        }

        static float[] ReadF32(byte[] b, int count)
        {
            var r = new float[count];
            for (int i = 0; i < count; i++) r[i] = BitConverter.ToSingle(b, 4 * i);
            return r;
        }

        [Fact]
        public void Dequantize_Int8ZeroPointAtLimits_HalfScale()
        {
            // scale 0.5, zp -79: -128 -> -24.5; 127 -> 103; -79 -> +0 (positive zero).
            var output = new byte[12];
            Dequantize.Eval(Dq(DataType.Int8, 3, -79, 0.5f), I8(-128, 127, -79), 0, output, 0);
            Assert.Equal(new[] { -24.5f, 103f, 0f }, ReadF32(output, 3));
            Assert.Equal(0, BitConverter.ToInt32(output, 8));
            // zp 127: -128 -> -255 * 0.5.
            Dequantize.Eval(Dq(DataType.Int8, 1, 127, 0.5f), I8(-128), 0, output, 0);
            Assert.Equal(-127.5f, BitConverter.ToSingle(output, 0));
        }

        [Fact]
        public void Dequantize_Int16_ScaleTwoToMinus15()
        {
            // scale 2^-15, zp 0: -32768 -> -1; 16384 -> 0.5; 1 -> 2^-15. zp -32768: 32767 -> 65535 * 2^-15.
            var output = new byte[12];
            Dequantize.Eval(Dq(DataType.Int16, 3, 0, 1f / 32768), I16(-32768, 16384, 1), 0, output, 0);
            Assert.Equal(new[] { -1f, 0.5f, 1f / 32768 }, ReadF32(output, 3));
            Dequantize.Eval(Dq(DataType.Int16, 1, -32768, 1f / 32768), I16(32767), 0, output, 0);
            Assert.Equal(65535f / 32768, BitConverter.ToSingle(output, 0));
        }

        [Theory]
        [InlineData(1.0e-45f, 3)]                 // smallest subnormal scale: 3 * 2^-149 stays subnormal
        [InlineData(1.1754942e-38f, 65535)]       // largest subnormal scale times a big k becomes normal
        [InlineData(3.4028235e38f, 2)]            // overflow -> infinity
        [InlineData(3.4028235e38f, -65535)]       // overflow -> -infinity
        [InlineData(0.1f, 3)]                     // 0.3000000119: needs rounding
        public void MultiplyToFloatBits_EdgeCases_EqualDoubleProductCastToFloat(float scale, int k)
        {
            var p = Dq(DataType.Int8, 0, 0, scale);
            float expected = (float)((double)scale * k);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), Dequantize.MultiplyToFloatBits(k, p.ScaleSignificand, p.ScaleExponent));
        }

        [Fact]
        public void MultiplyToFloatBits_RandomScales_EqualTflmsDoubleProductCastToFloat()
        {
            // TFLM: static_cast<float>(double(scale) * (x - zp)). Random scales over the whole float range
            // (normal and subnormal) and every |k| an int16 difference can have.
            var rng = new Random(11);
            for (int i = 0; i < 200000; i++)
            {
                int bits = rng.Next(1, 0x7F800000);
                float scale = BitConverter.Int32BitsToSingle(bits);
                int k = rng.Next(-65535, 65536);
                if (i % 3 == 0) k = rng.Next(-255, 256);
                var p = Dq(DataType.Int16, 0, 0, scale);
                float expected = (float)((double)scale * k);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), Dequantize.MultiplyToFloatBits(k, p.ScaleSignificand, p.ScaleExponent));
            }
        }
    }
}

using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// Format 1.3's CAST, int32 ADD/MUL/DIV/MINIMUM/MAXIMUM and the signal kernels' integer corners,
    /// against hand computation from TFLM's C semantics. (Every signal kernel is also checked against
    /// TFLM's tensors of the micro_speech audio front end in Mote.Packer.Tests.)
    /// </summary>
    public class AudioKernelTests
    {
        static byte[] I32(params int[] v)
        {
            var b = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 4 * i);
            return b;
        }

        static int[] ToI32(byte[] b)
        {
            var r = new int[b.Length / 4];
            for (int i = 0; i < r.Length; i++) r[i] = BitConverter.ToInt32(b, 4 * i);
            return r;
        }

        static int[] Binary(int operation, int[] a, int[] b, int min = int.MinValue, int max = int.MaxValue, int[] aShape = null, int[] bShape = null, int[] outShape = null)
        {
            var p = new BinaryInt32Params { Operation = operation, ActivationMin = min, ActivationMax = max, FlatSize = outShape == null ? a.Length : outShape[0] * outShape[1] * outShape[2] * outShape[3] };
            if (outShape != null)
            {
                p.Broadcast = true;
                p.Input1Shape = aShape;
                p.Input2Shape = bShape;
                p.OutputShape = outShape;
            }
            var o = new byte[4 * p.FlatSize];
            BinaryInt32.Eval(p, I32(a), 0, I32(b), 0, o, 0);
            return ToI32(o);
        }

        [Fact]
        public void BinaryInt32_ElementWise_WrapsTruncatesAndClampsLikeC()
        {
            Assert.Equal(new[] { 5, int.MinValue, -1 }, Binary(BinaryInt32Params.OpAdd, new[] { 2, int.MaxValue, 0 }, new[] { 3, 1, -1 }));
            Assert.Equal(new[] { -6, 0, -2 }, Binary(BinaryInt32Params.OpMul, new[] { 2, 65536, int.MaxValue }, new[] { -3, 65536, 2 }));
            // C division truncates toward zero; Mote defines the trapping cases.
            Assert.Equal(new[] { 2, -2, -2, 0, int.MinValue, 7 }, Binary(BinaryInt32Params.OpDiv,
                new[] { 7, -7, 7, 5, int.MinValue, -7 }, new[] { 3, 3, -3, 0, -1, -1 }));
            Assert.Equal(new[] { -4, 0, 9 }, Binary(BinaryInt32Params.OpMinimum, new[] { -4, 3, 9 }, new[] { 1, 0, 9 }));
            Assert.Equal(new[] { 1, 3, 9 }, Binary(BinaryInt32Params.OpMaximum, new[] { -4, 3, 9 }, new[] { 1, 0, 9 }));
            // RELU6 range on MUL.
            Assert.Equal(new[] { 0, 6, 4 }, Binary(BinaryInt32Params.OpMul, new[] { -2, 5, 2 }, new[] { 3, 3, 2 }, 0, 6));
        }

        [Fact]
        public void BinaryInt32_Broadcast_ScalarAndRow()
        {
            int[] one = { 1, 1, 1, 1 }, row = { 1, 1, 1, 3 }, mat = { 1, 1, 2, 3 };
            Assert.Equal(new[] { 10, 20, 30 }, Binary(BinaryInt32Params.OpMul, new[] { 1, 2, 3 }, new[] { 10 }, aShape: row, bShape: one, outShape: row));
            // [2,3] - row [3] broadcast: max against [2, 2, 2]... and a column.
            Assert.Equal(new[] { 11, 22, 33, 14, 25, 36 }, Binary(BinaryInt32Params.OpAdd, new[] { 1, 2, 3, 4, 5, 6 }, new[] { 10, 20, 30 }, aShape: mat, bShape: row, outShape: mat));
        }

        [Fact]
        public void Cast_KeepsLowBitsAndReinterpretsUnsigned()
        {
            var o = new byte[4];
            Cast.Eval(new CastParams { InputType = DataType.Int32, OutputType = DataType.Int8, Count = 4 }, I32(127, 128, -129, 300), 0, o, 0);
            Assert.Equal(new byte[] { 127, 128, 127, 44 }, o);
            var w = new byte[8];
            Cast.Eval(new CastParams { InputType = DataType.Int16, OutputType = DataType.Int32, Count = 2 }, new byte[] { 0xFF, 0xFF, 0x00, 0x80 }, 0, w, 0);
            Assert.Equal(new[] { -1, -32768 }, ToI32(w));
            Cast.Eval(new CastParams { InputType = DataType.UInt32, OutputType = DataType.Int32, Count = 2 }, I32(-1, 5), 0, w, 0);
            Assert.Equal(new[] { -1, 5 }, ToI32(w));
            Cast.Eval(new CastParams { InputType = DataType.Int8, OutputType = DataType.UInt32, Count = 2 }, new byte[] { 0xFE, 3 }, 0, w, 0);
            Assert.Equal(new[] { -2, 3 }, ToI32(w)); // uint32 0xFFFFFFFE
        }

        [Fact]
        public void Window_ShiftsArithmeticallyAndSaturates()
        {
            var input = new byte[] { 0x00, 0x80, 0xFF, 0x7F, 0x03, 0x00, 0xFD, 0xFF }; // -32768, 32767, 3, -3
            var window = new byte[] { 0x00, 0x80, 0x00, 0x80, 0x01, 0x00, 0x01, 0x00 }; // -32768, -32768, 1, 1
            var o = new byte[8];
            SignalWindow.Eval(new SignalWindowParams { Shift = 1, InputSize = 4, WindowSize = 4 }, input, 0, window, 0, o, 0);
            // 2^30 >> 1 saturates to 32767; -32767*32768 >> 1 saturates to -32768; 3 >> 1 = 1; -3 >> 1 = -2 (floor).
            Assert.Equal(new byte[] { 0xFF, 0x7F, 0x00, 0x80, 0x01, 0x00, 0xFE, 0xFF }, o);
        }

        [Fact]
        public void SquareRoot_RoundsUpWhenTheRemainderExceedsTheRoot()
        {
            // floor(sqrt(x)) = r, remainder x - r^2; TFLM adds 1 when remainder > r.
            Assert.Equal(0u, SignalFilterBankSquareRoot.Sqrt64(0));
            Assert.Equal(3u, SignalFilterBankSquareRoot.Sqrt64(12)); // 3, remainder 3: not > 3
            Assert.Equal(4u, SignalFilterBankSquareRoot.Sqrt64(13)); // 3, remainder 4 > 3
            Assert.Equal(65535u, SignalFilterBankSquareRoot.Sqrt64(uint.MaxValue)); // saturates at 0xFFFF
            Assert.Equal(65536u, SignalFilterBankSquareRoot.Sqrt64(1UL << 32));
            Assert.Equal(0xFFFFFFFFu, SignalFilterBankSquareRoot.Sqrt64(ulong.MaxValue));
            Assert.Equal(1000000u, SignalFilterBankSquareRoot.Sqrt64(1000000000000UL));
        }

        [Fact]
        public void Log_MatchesTheNaturalLogWithinTheTablesPrecision()
        {
            // Log32(x, scale) ~ ln(x) * scale; exact values for powers of two: log2 = k * 2^16, * 45426 >> 16.
            // x = 2: log2 = 65536, loge = (45426 * 65536 + 32768) >> 16 = 45426, * 64 + 32768 >> 16 = 44.
            Assert.Equal(44u, SignalFilterBankLog.Log32(2, 64));
            for (uint x = 3; x < 100000; x = x * 3 + 1)
            {
                double expected = Math.Log(x) * 64;
                Assert.InRange(SignalFilterBankLog.Log32(x, 64), expected - 1, expected + 1);
            }
        }

        [Fact]
        public void PcanShrink_QuadraticBelow8192_LinearAbove()
        {
            Assert.Equal(0u, SignalPcan.Shrink(1000)); // 10^6 >> 20
            Assert.Equal(63u, SignalPcan.Shrink(8191)); // 67092481 >> 20
            Assert.Equal(64u, SignalPcan.Shrink(8192)); // (8192 >> 6) - 64
        }
    }
}

using System;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Packer.Tests.Tflite.FbTestWriter;
using Tensor = Mote.Packer.Tests.Models.NewOpImportTests.Tensor;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Issue 9's ADD/SUB/LEAKY_RELU variants through the TFLite importer on hand-built single-op
    /// models (<see cref="NewOpImportTests.SingleOp"/>): what Mote refuses is refused naming the
    /// operator; what it accepts runs to hand-computed outputs.
    /// </summary>
    public class Int16ElementwiseImportTests
    {
        const int Add = 0, Mul = 18, Sub = 41, LeakyRelu = 98, Softmax = 25;
        const byte AddOptions = 11, MulOptions = 21, SubOptions = 28, LeakyReluOptions = 75;
        const sbyte Int16 = 7;
        const string File = NewOpImportTests.File;

        static PackException Refused(byte[] tflite, string operatorName)
        {
            var e = Assert.Throws<PackException>(() => Packer.PackTflite(tflite, File));
            Assert.Contains($"operator 0 ({operatorName})", e.Message);
            return e;
        }

        [Fact]
        public void Pack_Int16AddWithNonZeroZeroPoint_RefusedAsNotSymmetric()
        {
            var model = NewOpImportTests.SingleOp(Add,
                new[] { new Tensor(new[] { 4 }, Int16, 0.5f), new Tensor(new[] { 4 }, Int16, 0.5f, ZeroPoint: 3), new Tensor(new[] { 4 }, Int16, 1f) },
                new[] { 0, 1 }, 2);
            var e = Refused(model, "ADD");
            Assert.Contains("input 2", e.Message);
            Assert.Contains("requires 0", e.Message);
        }

        [Fact]
        public void Pack_Int16SubWithInt8Input_RefusedNamingTheInput()
        {
            var model = NewOpImportTests.SingleOp(Sub,
                new[] { new Tensor(new[] { 4 }, Int16, 0.5f), new Tensor(new[] { 4 }, 9, 0.5f), new Tensor(new[] { 4 }, Int16, 1f) },
                new[] { 0, 1 }, 2);
            var e = Refused(model, "SUB");
            Assert.Contains("input 2", e.Message);
            Assert.Contains("must be int16", e.Message);
        }

        [Fact]
        public void Pack_Int16Softmax_StillSaysInt8Only()
        {
            // int16 SOFTMAX is not part of issue 9: the importer's int8 requirement names it.
            var model = NewOpImportTests.SingleOp(Softmax,
                new[] { new Tensor(new[] { 1, 4 }, Int16, 0.5f), new Tensor(new[] { 1, 4 }, Int16, 1f / 32768) }, new[] { 0 }, 1);
            Assert.Contains("must be int8", Refused(model, "SOFTMAX").Message);
        }

        [Fact]
        public void PackAndRun_Int8SubWithConstantBroadcastAndRelu_MatchesHandComputation()
        {
            // x int8 [1,2,2] scale 0.5 zp 2; constant y int8 [2] = (3, 0) scale 0.25 zp -1; out scale 0.5 zp 10, RELU
            // (activation min 10). out = clamp(10 + round((x - 2) - (y + 1) / 2), 10, 127):
            //  (6, 3) 2 -> 12;  (3, 0) 0.5 -> 1 -> 11;  (1, 3) -3 -> 7 -> 10;  (127, 0) 124.5 -> 125 -> 135 -> 127.
            var model = NewOpImportTests.SingleOp(Sub,
                new[] { new Tensor(new[] { 1, 2, 2 }, Scale: 0.5f, ZeroPoint: 2), new Tensor(new[] { 2 }, Scale: 0.25f, ZeroPoint: -1, Data: new byte[] { 3, 0 }),
                    new Tensor(new[] { 1, 2, 2 }, Scale: 0.5f, ZeroPoint: 10) },
                new[] { 0, 1 }, 2, SubOptions, T().Set(0, new I8(1)));
            var packed = Packer.PackTflite(model, File);
            Assert.Equal(OpCode.Sub, packed.Model.GetOperator(0).Code);
            var it = new Interpreter(Model.Load(packed.Blob));
            it.GetInput(0).CopyFrom(new byte[] { 6, 3, 1, 127 }, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            Assert.Equal(new[] { 12, 11, 10, 127 }, new[] { o.GetInt8(0), o.GetInt8(1), o.GetInt8(2), o.GetInt8(3) });
        }

        [Fact]
        public void PackAndRun_Int16AddWithRelu6_ClampsToTheInt16Range()
        {
            // int16 x [3] scale 0.5, y [3] scale 0.25, out scale 0.5 (zero points 0), fused RELU6: [0, round(6 / 0.5) = 12].
            // out = clamp(round(x + y / 2), 0, 12): (4, 3) 5.5 -> 6;  (-4, 2) -3 -> 0;  (30000, 0) -> 12.
            var model = NewOpImportTests.SingleOp(Add,
                new[] { new Tensor(new[] { 3 }, Int16, 0.5f), new Tensor(new[] { 3 }, Int16, 0.25f), new Tensor(new[] { 3 }, Int16, 0.5f) },
                new[] { 0, 1 }, 2, AddOptions, T().Set(0, new I8(3)));
            var packed = Packer.PackTflite(model, File);
            var p = (AddParams)packed.Model.GetOperator(0).Params;
            Assert.Equal((DataType.Int16, 15, 0, 12), (p.ElementType, p.LeftShift, p.ActivationMin, p.ActivationMax));
            var it = new Interpreter(Model.Load(packed.Blob));
            it.GetInput(0).CopyFrom(new byte[] { 4, 0, 0xFC, 0xFF, 0x30, 0x75 }, 0); // 4, -4, 30000
            it.GetInput(1).CopyFrom(new byte[] { 3, 0, 2, 0, 0, 0 }, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            var bytes = new byte[6];
            o.CopyTo(bytes, 0);
            Assert.Equal(new byte[] { 6, 0, 0, 0, 12, 0 }, bytes);
        }

        [Fact]
        public void Pack_Int16LeakyReluWithInt8Output_Refused()
        {
            var model = NewOpImportTests.SingleOp(LeakyRelu,
                new[] { new Tensor(new[] { 4 }, 9, 0.5f), new Tensor(new[] { 4 }, Int16, 0.5f) }, new[] { 0 }, 1, LeakyReluOptions, T().Set(0, new F32(0.2f)));
            var e = Refused(model, "LEAKY_RELU");
            Assert.Contains("input", e.Message);
            Assert.Contains("must be int16", e.Message);
        }
    
        [Fact]
        public void Pack_Int16MulWithNonZeroOutputZeroPoint_Refused()
        {
            var model = NewOpImportTests.SingleOp(Mul,
                new[] { new Tensor(new[] { 4 }, Int16, 0.5f), new Tensor(new[] { 4 }, Int16, 0.5f), new Tensor(new[] { 4 }, Int16, 1f, ZeroPoint: -1) },
                new[] { 0, 1 }, 2);
            var e = Refused(model, "MUL");
            Assert.Contains("output", e.Message);
            Assert.Contains("requires 0", e.Message);
        }

        [Fact]
        public void PackAndRun_Int16MulWithRelu_MatchesHandComputation()
        {
            // int16 x [2] scale 2^-8, constant y [2] = (12, 64) scale 2^-8, out scale 2^-10, fused RELU ([0, 32767]):
            // real 2^-6 -> (2^30, -5); out = max(0, round(x * y / 64)): (8, 12) 1.5 -> 2; (-10, 64) -10 -> 0.
            var model = NewOpImportTests.SingleOp(Mul,
                new[] { new Tensor(new[] { 2 }, Int16, 1f / 256), new Tensor(new[] { 2 }, Int16, 1f / 256, Data: new byte[] { 12, 0, 64, 0 }),
                    new Tensor(new[] { 2 }, Int16, 1f / 1024) },
                new[] { 0, 1 }, 2, MulOptions, T().Set(0, new I8(1)));
            var packed = Packer.PackTflite(model, File);
            var p = (MulParams)packed.Model.GetOperator(0).Params;
            Assert.Equal((DataType.Int16, 1 << 30, -5, 0, 32767), (p.ElementType, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax));
            var it = new Interpreter(Model.Load(packed.Blob));
            it.GetInput(0).CopyFrom(new byte[] { 8, 0, 0xF6, 0xFF }, 0); // 8, -10
            it.Invoke();
            var bytes = new byte[4];
            it.GetOutput(0).CopyTo(bytes, 0);
            Assert.Equal(new byte[] { 2, 0, 0, 0 }, bytes);
        }
    }
}

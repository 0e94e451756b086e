using System;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Packer.Graph;
using Mote.Packer.Quantization;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// int16 MAX_POOL_2D / AVERAGE_POOL_2D and FULLY_CONNECTED 16x8 through writer and reader: dtype
    /// dispatch on the existing op codes, the loader's checks, and Invoke on whatever loads.
    /// </summary>
    public class BlobInt16PoolFcTests
    {
        static PackTensor Act(PackGraph g, string name, int dtype, float scale, params int[] shape) =>
            g.AddTensor(new PackTensor { DataType = dtype, Shape = shape, Scales = new[] { scale }, ZeroPoint = 0, Name = name });

        static PackTensor Const(PackGraph g, string name, int dtype, int[] shape, Random rng, float[] scales)
        {
            var t = new PackTensor { DataType = dtype, Shape = shape, Scales = scales, Name = name };
            t.Data = new byte[t.Bytes];
            for (int i = 0; i < t.Data.Length; i += DataType.Size(dtype))
            {
                long v = dtype == DataType.Int8 ? rng.Next(-127, 128) : rng.Next(-300000, 300000);
                for (int k = 0; k < DataType.Size(dtype); k++) t.Data[i + k] = (byte)(v >> (8 * k));
            }
            return g.AddTensor(t);
        }

        /// <summary>int16 [1,4,4,4] → MAX_POOL 2x2/2 → [1,2,2,4] → AVERAGE_POOL 1x2/1 → [1,2,1,4] → FULLY_CONNECTED 16x8 (int64 bias) → [1,5].</summary>
        static PackGraph Graph()
        {
            var rng = new Random(16);
            var g = new PackGraph { SourceName = "test-graph-int16-pool-fc" };
            var x = Act(g, "x", DataType.Int16, 0.001f, 1, 4, 4, 4);
            var mp = Act(g, "maxpool", DataType.Int16, 0.001f, 1, 2, 2, 4);
            var ap = Act(g, "avgpool", DataType.Int16, 0.001f, 1, 2, 1, 4);
            var w = Const(g, "w", DataType.Int8, new[] { 5, 8 }, rng, new[] { 0.01f, 0.02f, 0.015f, 0.03f, 0.005f });
            var b = Const(g, "b", DataType.Int64, new[] { 5 }, rng, new[] { 1e-5f });
            var y = Act(g, "fc", DataType.Int16, 0.004f, 1, 5);
            g.Inputs = new[] { x.Index };
            g.Outputs = new[] { y.Index };
            g.Operators.Add(new PackOperator { Code = OpCode.MaxPool2D, Inputs = new[] { x.Index }, Outputs = new[] { mp.Index }, Params = new[] { 2, 2, 2, 2, 0, 0, -32768, 32767 } });
            g.Operators.Add(new PackOperator { Code = OpCode.AveragePool2D, Inputs = new[] { mp.Index }, Outputs = new[] { ap.Index }, Params = new[] { 1, 2, 1, 1, 0, 0, -32768, 32767 } });
            var m = new int[5];
            var s = new int[5];
            TfliteQuantMath.FullyConnected(x.Scales[0], w.Scales, y.Scales[0], 5, m, s);
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.FullyConnected, Inputs = new[] { ap.Index, w.Index, b.Index }, Outputs = new[] { y.Index },
                Params = new[] { 0, 0, 0, -32768, 32767, 0, 0 }, Multipliers = m, MultiplierWord = 5, Shifts = s, ShiftWord = 6,
            });
            return g;
        }

        const int Max = 0, Avg = 1, Fc = 2;

        static byte[] Blob() => Packer.Finish(Graph(), 0).Blob;

        static int WordAt(byte[] b, int op, int word) =>
            Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, OperatorRecord(b, op) + 8) + word);

        [Fact]
        public void Load_Graph_DispatchesOnDtypes()
        {
            var m = Model.Load(Blob());
            Assert.Equal(DataType.Int16, ((PoolParams)m.GetOperator(Max).Params).ElementType);
            Assert.Equal(DataType.Int16, ((PoolParams)m.GetOperator(Avg).Params).ElementType);
            var fc = (FullyConnectedParams)m.GetOperator(Fc).Params;
            Assert.Equal(DataType.Int16, fc.ActivationType);
            Assert.Equal(DataType.Int64, fc.BiasType);
            Assert.Equal(new[] { 1, 8, 5 }, new[] { fc.Batches, fc.AccumDepth, fc.OutputDepth });
        }

        [Fact]
        public void Invoke_Graph_MatchesKernelsCalledDirectlyAndAllocatesNothing()
        {
            var m = Model.Load(Blob());
            var it = new Interpreter(m) { Kernels = new ThrowingKernels() };
            var input = new byte[it.GetInput(0).Bytes];
            new Random(5).NextBytes(input);
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var output = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(output, 0);

            byte[] blob = m.Blob;
            OperatorInfo Op(int i) => m.GetOperator(i);
            int Start(int op, int k) => m.GetTensor(Op(op).Inputs[k]).Start;
            var mp = new byte[m.GetTensor(Op(Max).Outputs[0]).Bytes];
            MaxPool2D.EvalInt16((PoolParams)Op(Max).Params, input, 0, mp, 0);
            var ap = new byte[m.GetTensor(Op(Avg).Outputs[0]).Bytes];
            AveragePool2D.EvalInt16((PoolParams)Op(Avg).Params, mp, 0, ap, 0);
            var fc = new byte[output.Length];
            FullyConnected16x8.Eval((FullyConnectedParams)Op(Fc).Params, ap, 0, blob, Start(Fc, 1), blob, Start(Fc, 2), blob,
                Op(Fc).MultiplierStart, Op(Fc).ShiftStart, fc, 0);
            Assert.Equal(fc, output);
            var values = Enumerable.Range(0, 5).Select(k => (int)BitConverter.ToInt16(output, 2 * k)).ToArray();
            Assert.True(values.Distinct().Count() == 5 && values.Count(v => v == 32767 || v == -32768) < 2, string.Join(",", values));

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                it.GetInput(0).CopyFrom(input, 0);
                it.Invoke();
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        sealed class ThrowingKernels : KernelSet
        {
            public override void DepthwiseConv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
                byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart) =>
                throw new InvalidOperationException("16x8 DEPTHWISE_CONV_2D reached the kernel set");

            public override void FullyConnected(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
                byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart) =>
                throw new InvalidOperationException("16x8 FULLY_CONNECTED reached the kernel set");
        }

        [Theory]
        [InlineData(Max, 6, -32769, "not inside [-32768, 32767]")]
        [InlineData(Avg, 7, 32768, "not inside [-32768, 32767]")]
        [InlineData(Max, 0, 0, "filter 0")]
        [InlineData(Fc, 0, 1, "zero points 0")]
        [InlineData(Fc, 2, -1, "zero points 0")]
        [InlineData(Fc, 1, 1, "filter zero point 0")]
        [InlineData(Fc, 3, -32769, "not inside [-32768, 32767]")]
        [InlineData(Fc, 5, 3, "multiplier table")]
        public void Load_CorruptedParameterWord_RejectedNamingOperator(int op, int word, int value, string expected)
        {
            var b = Blob();
            var m = Model.Load((byte[])b.Clone());
            LittleEndian.WriteInt32(b, WordAt(b, op, word), value);
            BlobWriter.Seal(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains($"operator {op} ({m.GetOperator(op).Name})", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void Load_FcShiftTooLargeForInt64Accumulator_Rejected()
        {
            var b = Blob();
            LittleEndian.WriteInt32(b, LittleEndian.ReadInt32(b, WordAt(b, Fc, 6)), 15);
            BlobWriter.Seal(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("out of range for an int64 accumulator", e.Message);
        }

        [Theory]
        [InlineData("maxpool", DataType.Int8, "output tensor 1 is int8, expected int16")]
        [InlineData("fc", DataType.Int8, "output tensor 5 is int8, expected int16")]
        [InlineData("b", DataType.Int16, "bias tensor 4 is int16, expected int64 or int32")]
        public void Finish_WrongDtype_RejectedByVerification(string tensor, int dtype, string expected)
        {
            var g = Graph();
            var t = g.Tensors.First(x => x.Name == tensor);
            t.DataType = dtype;
            if (t.IsConstant) t.Data = new byte[t.Bytes];
            var e = Assert.Throws<PackException>(() => Packer.Finish(g, 0));
            Assert.Contains("does not verify", e.Message);
            Assert.Contains(expected, e.Message);
        }

        /// <summary>int16 [1,3,3,2] → DEPTHWISE_CONV_2D 16x8 (2x2, stride 1, VALID, multiplier 2, int64 bias) → [1,2,2,4].</summary>
        static PackGraph Depthwise(int biasType = DataType.Int64)
        {
            var rng = new Random(17);
            var g = new PackGraph { SourceName = "test-graph-dw16" };
            var x = Act(g, "x", DataType.Int16, 0.001f, 1, 3, 3, 2);
            var w = Const(g, "w", DataType.Int8, new[] { 1, 2, 2, 4 }, rng, new[] { 0.01f, 0.02f, 0.015f, 0.03f });
            var b = Const(g, "b", biasType, new[] { 4 }, rng, new[] { 1e-5f });
            var y = Act(g, "dw", DataType.Int16, 0.02f, 1, 2, 2, 4);
            g.Inputs = new[] { x.Index };
            g.Outputs = new[] { y.Index };
            var m = new int[4];
            var s = new int[4];
            TfliteQuantMath.ConvPerChannel(x.Scales[0], w.Scales, y.Scales[0], 4, m, s);
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.DepthwiseConv2D, Inputs = new[] { x.Index, w.Index, b.Index }, Outputs = new[] { y.Index },
                Params = new[] { 1, 1, 1, 1, 0, 0, 0, 0, -32768, 32767, 2, 0, 0 }, Multipliers = m, MultiplierWord = 11, Shifts = s, ShiftWord = 12,
            });
            return g;
        }

        [Fact]
        public void Depthwise16x8_LoadsDispatchesAndMatchesTheKernel()
        {
            var m = Packer.Finish(Depthwise(), 0).Model;
            var p = (ConvParams)m.GetOperator(0).Params;
            Assert.Equal(DataType.Int16, p.ActivationType);
            Assert.Equal(DataType.Int64, p.BiasType);
            var it = new Interpreter(m) { Kernels = new ThrowingKernels() };
            var input = new byte[it.GetInput(0).Bytes];
            new Random(3).NextBytes(input);
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var output = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(output, 0);
            var op = m.GetOperator(0);
            var expected = new byte[output.Length];
            DepthwiseConv2D16x8.Eval(p, input, 0, m.Blob, m.GetTensor(op.Inputs[1]).Start, m.Blob, m.GetTensor(op.Inputs[2]).Start, m.Blob,
                op.MultiplierStart, op.ShiftStart, expected, 0);
            Assert.Equal(expected, output);
            var values = Enumerable.Range(0, output.Length / 2).Select(k => (int)BitConverter.ToInt16(output, 2 * k)).ToArray();
            Assert.True(values.Distinct().Count() > 12 && values.Count(v => v == 32767 || v == -32768) < 4, string.Join(",", values));
        }

        [Fact]
        public void Depthwise16x8_Int32Bias_Rejected()
        {
            // TFLM's 16x8 depthwise kernel reads the bias as int64 whatever its type.
            var e = Assert.Throws<PackException>(() => Packer.Finish(Depthwise(DataType.Int32), 0));
            Assert.Contains("is int32, expected int64", e.Message);
        }

        [Fact]
        public void Load_FuzzedParamsShapesAndIndices_RejectedOrInvokeSafely()
        {
            int[] interesting = { 0, 1, -1, 2, 3, 4, 5, 8, 14, 15, 31, -31, 127, 128, -128, 32767, 32768, -32769, int.MaxValue, int.MinValue };
            FuzzParamsShapesAndIndices(Blob(), 1617, FuzzIterations(3000), interesting, mutateDtypes: true);
        }
    }
}

using System;
using System.Collections.Generic;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Mote.Packer.Blob;
using Mote.Packer.Tests.Tflite;
using Xunit;
using static Mote.Packer.Tests.Tflite.FbTestWriter;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// SVDF (format 1.3) through the TFLite importer on a hand-built model: multipliers from the scales,
    /// the state as a variable tensor kept across Invoke and cleared by ResetState, TFLM's checks.
    /// </summary>
    public class SvdfImportTests
    {
        const string File = "svdf.tflite";
        const int Svdf = 27, SvdfOptionsType = 6;
        const sbyte Int8 = 9, Int16 = 7, Int32 = 2;

        sealed record Tensor(int[] Shape, sbyte Type = Int8, float Scale = 0.1f, long ZeroPoint = 0, byte[] Data = null, bool Variable = false);

        static byte[] Model(Tensor[] tensors, int[] inputs, int output, int rank = 1, sbyte activation = 1)
        {
            var tables = new Table[tensors.Length];
            var buffers = new List<Node> { T() };
            var graphInputs = new List<int>();
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                var table = T().Set(0, Ints(t.Shape)).Set(1, new I8(t.Type)).Set(3, S("t" + i))
                    .Set(4, T().Set(2, Floats(t.Scale)).Set(3, Longs(t.ZeroPoint)));
                if (t.Data != null)
                {
                    table.Set(2, new U32((uint)buffers.Count));
                    buffers.Add(T().Set(0, Bytes(t.Data)));
                }
                if (t.Variable) table.Set(5, new U8(1));
                tables[i] = table;
            }
            foreach (int k in inputs)
                if (k >= 0 && tensors[k].Data == null && !tensors[k].Variable) graphInputs.Add(k);
            var op = T().Set(0, new U32(0)).Set(1, Ints(inputs)).Set(2, Ints(output))
                .Set(3, new U8(SvdfOptionsType)).Set(4, T().Set(0, new I32(rank)).Set(1, new I8(activation)));
            var subgraph = T().Set(0, Refs(tables)).Set(1, Ints(graphInputs.ToArray())).Set(2, Ints(output)).Set(3, Refs(op)).Set(4, S("main"));
            var opCode = T().Set(0, new I8(Svdf)).Set(2, new I32(1)).Set(3, new I32(Svdf));
            var root = T().Set(0, new U32(3)).Set(1, Refs(opCode)).Set(2, Refs(subgraph)).Set(4, Refs(buffers.ToArray()));
            return new FbTestWriter().Finish(root, "TFL3");
        }

        static byte[] I16s(params int[] v)
        {
            var b = new byte[2 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes((short)v[i]).CopyTo(b, 2 * i);
            return b;
        }

        static byte[] I32s(params int[] v)
        {
            var b = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 4 * i);
            return b;
        }

        /// <summary>
        /// input int8 [1,2] (0.5, zero point -1); weights_feature [[1,2],[-3,5]] (0.25); weights_time int16 f0 [1,-1,2],
        /// f1 [0,1,3] (0.5); bias [100,-5] (0.0625); state int16 [1,6] (0.125); output int8 [1,2] (0.0625, zero point 3):
        /// both effective scales are exactly 1. Fused activation RELU (which TFLM's integer path ignores).
        /// </summary>
        static Tensor[] Tensors(sbyte timeType = Int16, float biasScale = 0.0625f) => new[]
        {
            new Tensor(new[] { 1, 2 }, Scale: 0.5f, ZeroPoint: -1),
            new Tensor(new[] { 2, 2 }, Scale: 0.25f, Data: new byte[] { 1, 2, unchecked((byte)-3), 5 }),
            new Tensor(new[] { 2, 3 }, timeType, 0.5f, Data: timeType == Int16 ? I16s(1, -1, 2, 0, 1, 3) : new byte[] { 1, 255, 2, 0, 1, 3 }),
            new Tensor(new[] { 2 }, Int32, biasScale, Data: I32s(100, -5)),
            new Tensor(new[] { 1, 6 }, Int16, 0.125f, Variable: true),
            new Tensor(new[] { 1, 2 }, Scale: 0.0625f, ZeroPoint: 3),
        };

        static int[] Invoke(Interpreter it, params int[] input)
        {
            var bytes = new byte[input.Length];
            for (int i = 0; i < input.Length; i++) bytes[i] = unchecked((byte)(sbyte)input[i]);
            it.GetInput(0).CopyFrom(bytes, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            return new[] { o.GetInt8(0), o.GetInt8(1) };
        }

        [Fact]
        public void Pack_Svdf_KeepsStateAcrossInvokeAndResetStateClearsIt()
        {
            var packed = Packer.PackTflite(Model(Tensors(), new[] { 0, 1, 2, 3, 4 }, 5), File);
            var m = Runtime.Model.Load(packed.Blob);
            var op = m.GetOperator(0);
            Assert.Equal(OpCode.Svdf, op.Code);
            var p = Assert.IsType<SvdfParams>(op.Params);
            Assert.Equal((1 << 30, 1, 1 << 30, 1), (p.Multiplier1, p.Shift1, p.Multiplier2, p.Shift2));
            Assert.Equal((1, 1, 0, 3, true), (p.Rank, p.InputOffset, p.StateZeroPoint, p.OutputOffset, p.StateIsInt16));
            Assert.Equal(1, m.VariableTensorCount);
            var it = new Interpreter(m);
            // Input [3, -2] - (-1) = [4, -1]: features f0 = 2, f1 = -17 enter the zeroed state's newest slots:
            // f0 [0,0,2], f1 [0,0,-17]. Time: 4, -51; + bias 104, -56; + 3: 107, -53 (below the zero point: no RELU).
            Assert.Equal(new[] { 107, -53 }, Invoke(it, 3, -2));
            // State shifts: f0 [0,2,2], f1 [0,-17,-17]. Time: -2 + 4 = 2, -17 - 51 = -68; + bias, + 3: 105, -70.
            Assert.Equal(new[] { 105, -70 }, Invoke(it, 3, -2));
            it.ResetState();
            Assert.Equal(new[] { 107, -53 }, Invoke(it, 3, -2));
        }

        [Fact]
        public void Pack_SvdfWithoutBias_RunsWithZeroBias()
        {
            var packed = Packer.PackTflite(Model(Tensors(), new[] { 0, 1, 2, -1, 4 }, 5), File);
            Assert.Equal(new[] { 7, -48 }, Invoke(new Interpreter(Runtime.Model.Load(packed.Blob)), 3, -2));
        }

        static PackException Refused(byte[] tflite)
        {
            var e = Assert.Throws<PackException>(() => Packer.PackTflite(tflite, File));
            Assert.Contains("operator 0 (SVDF)", e.Message);
            return e;
        }

        [Fact]
        public void Pack_SvdfTimeWeightsTypeDiffersFromState_Refused()
        {
            Assert.Contains("must have the state's type int16", Refused(Model(Tensors(Int8), new[] { 0, 1, 2, 3, 4 }, 5)).Message);
        }

        [Fact]
        public void Pack_SvdfBiasScaleNotStateTimesTimeWeights_RefusedLikeTflm()
        {
            Assert.Contains("is not state scale x weights_time scale", Refused(Model(Tensors(biasScale: 0.07f), new[] { 0, 1, 2, 3, 4 }, 5)).Message);
        }

        [Fact]
        public void Pack_SvdfRankNotDividingFilters_Refused()
        {
            Assert.Contains("rank 3 does not divide the 2 filters", Refused(Model(Tensors(), new[] { 0, 1, 2, 3, 4 }, 5, rank: 3)).Message);
        }

        [Fact]
        public void Pack_SvdfStateNotVariable_Refused()
        {
            var t = Tensors();
            t[4] = t[4] with { Variable = false };
            // A non-variable state would be a graph input here; TFLM's Prepare requires is_variable.
            Assert.Contains("is not a variable tensor", Refused(Model(t, new[] { 0, 1, 2, 3, 4 }, 5)).Message);
        }

        // ---- Model.Load's own checks on a packed SVDF blob (patched and resealed)

        static byte[] PackedBlob() => Packer.PackTflite(Model(Tensors(), new[] { 0, 1, 2, 3, 4 }, 5), File).Blob;


        static MoteFormatException LoadPatchedWord(int word, int value)
        {
            var blob = PackedBlob();
            int at = Section(blob, BlobFormat.SectionParams) + 4 * Runtime.Model.Load(blob).GetOperator(0).ParamStart + 4 * word;
            LittleEndian.WriteInt32(blob, at, value);
            BlobWriter.Seal(blob);
            var e = Assert.Throws<MoteFormatException>(() => Runtime.Model.Load(blob));
            Assert.Contains("operator 0 (SVDF)", e.Message);
            return e;
        }

        [Theory]
        [InlineData(0, 0, "rank 0 does not divide")]
        [InlineData(0, 3, "rank 3 does not divide")]
        [InlineData(2, 40000, "zero points out of range")]
        [InlineData(3, 128, "zero points out of range")]
        [InlineData(4, -1, "feature (effective scale 1) multiplier -1")]
        [InlineData(7, 31, "time (effective scale 2) multiplier")]
        public void Load_SvdfParameterOutOfRange_Rejected(int word, int value, string expected)
        {
            Assert.Contains(expected, LoadPatchedWord(word, value).Message);
        }

        [Fact]
        public void Load_SvdfStateNotMarkedVariable_Rejected()
        {
            var blob = PackedBlob();
            var m = Runtime.Model.Load(blob);
            int state = m.GetOperator(0).Inputs[4];
            blob[Section(blob, BlobFormat.SectionTensors) + state * BlobFormat.TensorRecordSize + BlobFormat.TensorFlagsOffset] = 0;
            BlobWriter.Seal(blob);
            var e = Assert.Throws<MoteFormatException>(() => Runtime.Model.Load(blob));
            Assert.Contains($"state tensor {state} is not a variable tensor", e.Message);
        }
    }
}

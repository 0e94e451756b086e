using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Tflite;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>Every real model (../shared/models) and single-op case (../shared/opzoo) parses and agrees with its meta.json.</summary>
    public class TfliteSharedModelTests
    {
        public static IEnumerable<object[]> Models() => List("models");
        public static IEnumerable<object[]> OpzooCases() => List("opzoo");

        static IEnumerable<object[]> List(string sub)
        {
            var files = SharedData.ListOrEmpty(sub, "*.tflite");
            if (files.Length == 0) return new[] { new object[] { "(shared data absent)" } };
            return files.Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });
        }

        static (TfliteModel Model, JsonElement Meta) Load(string sub, string name)
        {
            string dir = SharedData.Require(sub);
            string file = Path.Combine(dir, name + ".tflite");
            var model = TfliteModel.Parse(File.ReadAllBytes(file), name + ".tflite");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, name + ".vectors", "meta.json")));
            return (model, doc.RootElement.Clone());
        }

        static void AssertRelative(double expected, double actual, double rel, string what)
        {
            double tol = rel * Math.Max(Math.Abs(expected), Math.Abs(actual));
            Assert.True(Math.Abs(expected - actual) <= tol, what + ": expected " + expected.ToString("R") + ", got " + actual.ToString("R"));
        }

        static IEnumerable<int> Flatten(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Array) { yield return e.GetInt32(); yield break; }
            foreach (var x in e.EnumerateArray())
                foreach (int v in Flatten(x)) yield return v;
        }

        static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

        /// <summary>Compares a tensor with a meta.json entry (dtype, shape, scale(s), zero point(s), quantized_dimension).</summary>
        static void AssertTensor(JsonElement m, TfliteTensor t, string what, double rel)
        {
            Assert.True(string.Equals(m.GetProperty("dtype").GetString(), t.Type.ToString(), StringComparison.OrdinalIgnoreCase),
                what + ": dtype " + m.GetProperty("dtype").GetString() + " vs " + t.Type);
            Assert.Equal(Ints(m.GetProperty("shape")), t.Shape);
            if (m.TryGetProperty("scale", out var scale) && scale.ValueKind == JsonValueKind.Number)
            {
                Assert.NotNull(t.Quantization);
                Assert.Single(t.Quantization.Scale);
                AssertRelative(scale.GetDouble(), t.Quantization.Scale[0], rel, what + " scale");
            }
            if (m.TryGetProperty("zero_point", out var zp) && zp.ValueKind == JsonValueKind.Number)
                Assert.Equal(zp.GetInt64(), Assert.Single(t.Quantization.ZeroPoint));
            if (m.TryGetProperty("scales", out var scales) && scales.ValueKind == JsonValueKind.Array)
            {
                var expected = scales.EnumerateArray().Select(x => x.GetDouble()).ToArray();
                Assert.Equal(expected.Length, t.Quantization.Scale.Length);
                for (int i = 0; i < expected.Length; i++) AssertRelative(expected[i], t.Quantization.Scale[i], rel, what + " scale[" + i + "]");
            }
            if (m.TryGetProperty("zero_points", out var zps) && zps.ValueKind == JsonValueKind.Array)
                Assert.Equal(zps.EnumerateArray().Select(x => x.GetInt64()).ToArray(), t.Quantization.ZeroPoint);
            if (m.TryGetProperty("quantized_dimension", out var qd) && qd.ValueKind == JsonValueKind.Number)
                Assert.Equal(qd.GetInt32(), t.Quantization.QuantizedDimension);
        }

        static int ElementSize(TensorType t) => t switch
        {
            TensorType.INT8 or TensorType.UINT8 or TensorType.BOOL => 1,
            TensorType.INT16 or TensorType.UINT16 or TensorType.FLOAT16 => 2,
            TensorType.INT32 or TensorType.UINT32 or TensorType.FLOAT32 => 4,
            TensorType.INT64 or TensorType.UINT64 or TensorType.FLOAT64 => 8,
            _ => 0,
        };

        /// <summary>Constant tensors' buffers hold exactly shape-product x element-size bytes (a check on buffer indexing).</summary>
        static void AssertBuffersMatchShapes(TfliteModel model)
        {
            foreach (var sg in model.Subgraphs)
                foreach (var t in sg.Tensors)
                {
                    byte[] data = model.Buffers.Length == 0 ? Array.Empty<byte>() : model.Buffers[t.Buffer].Data;
                    int size = ElementSize(t.Type);
                    if (data.Length == 0 || size == 0) continue;
                    long n = 1;
                    foreach (int d in t.Shape) n *= d;
                    Assert.True(n * size == data.Length, t.Name + ": buffer " + t.Buffer + " has " + data.Length + " bytes for shape [" +
                                                         string.Join(",", t.Shape) + "] " + t.Type);
                }
        }

        [SkippableTheory]
        [MemberData(nameof(Models))]
        public void Parse_SharedModel_MatchesMeta(string name)
        {
            var (model, meta) = Load("models", name);
            Assert.Equal(3u, model.Version);
            Assert.Equal(meta.GetProperty("subgraphs").GetInt32(), model.Subgraphs.Length);
            var sg = model.Subgraphs[0];

            var ops = sg.Operators.Select(o => model.OperatorCodes[o.OpcodeIndex].DisplayName).ToArray();
            var expectedOps = meta.GetProperty("op_sequence").EnumerateArray().Select(x => x.GetString()).ToArray();
            Assert.Equal(expectedOps, ops);

            foreach (var (key, indices) in new[] { ("inputs", sg.Inputs), ("outputs", sg.Outputs) })
            {
                var list = meta.GetProperty(key).EnumerateArray().ToArray();
                Assert.Equal(list.Length, indices.Length);
                for (int i = 0; i < list.Length; i++)
                {
                    Assert.Equal(list[i].GetProperty("tensor_index").GetInt32(), indices[i]);
                    var t = sg.Tensors[indices[i]];
                    Assert.Equal(list[i].GetProperty("name").GetString(), t.Name);
                    AssertTensor(list[i], t, name + " " + key + "[" + i + "]", 1e-9);
                }
            }
            AssertBuffersMatchShapes(model);
        }

        [SkippableTheory]
        [MemberData(nameof(Models))]
        public void Parse_SharedModelWithQuarterOfDefaultWorkBudget_Succeeds(string name)
        {
            // The default budget (16x the file size + 1 MiB) leaves at least 4x headroom over what real models need.
            string file = Path.Combine(SharedData.Require("models"), name + ".tflite");
            byte[] bytes = File.ReadAllBytes(file);
            TfliteModel.Parse(bytes, name, 4L * bytes.Length + (1L << 18));
        }

        [SkippableFact]
        public void Parse_PersonDetection_ReportsStoredQuantizedDimensionThree()
        {
            var (model, _) = Load("models", "person_detection");
            var perAxis = model.Subgraphs[0].Tensors.Where(t => t.Quantization != null && t.Quantization.Scale.Length > 1).ToArray();
            Assert.NotEmpty(perAxis);
            Assert.Contains(perAxis, t => t.Quantization.QuantizedDimension == 3);
        }

        static string PaddingName(Padding p) => p.ToString();

        [SkippableTheory]
        [MemberData(nameof(OpzooCases))]
        public void Parse_OpzooCase_MatchesMeta(string name)
        {
            var (model, meta) = Load("opzoo", name);
            var sg = Assert.Single(model.Subgraphs);
            var op = Assert.Single(sg.Operators);
            string opName = meta.GetProperty("op").GetString();
            Assert.Equal(opName, model.OperatorCodes[op.OpcodeIndex].DisplayName);
            Assert.Empty(model.Buffers[0].Data);

            var p = meta.GetProperty("params");
            int[] Hw(string key) => Ints(p.GetProperty(key));
            string Act() => p.GetProperty("fused_activation").GetString();

            switch (opName)
            {
                case "CONV_2D":
                {
                    var o = Assert.IsType<Conv2DOptions>(op.BuiltinOptions);
                    Assert.Equal(Hw("stride_hw"), new[] { o.StrideH, o.StrideW });
                    Assert.Equal(Hw("dilation_hw"), new[] { o.DilationHFactor, o.DilationWFactor });
                    Assert.Equal(p.GetProperty("padding").GetString(), PaddingName(o.Padding));
                    Assert.Equal(Act(), o.FusedActivationFunction.ToString());
                    break;
                }
                case "DEPTHWISE_CONV_2D":
                {
                    var o = Assert.IsType<DepthwiseConv2DOptions>(op.BuiltinOptions);
                    Assert.Equal(Hw("stride_hw"), new[] { o.StrideH, o.StrideW });
                    Assert.Equal(Hw("dilation_hw"), new[] { o.DilationHFactor, o.DilationWFactor });
                    Assert.Equal(p.GetProperty("padding").GetString(), PaddingName(o.Padding));
                    Assert.Equal(Act(), o.FusedActivationFunction.ToString());
                    Assert.Equal(p.GetProperty("depth_multiplier").GetInt32(), o.DepthMultiplier);
                    break;
                }
                case "AVERAGE_POOL_2D":
                case "MAX_POOL_2D":
                {
                    var o = Assert.IsType<Pool2DOptions>(op.BuiltinOptions);
                    Assert.Equal(Hw("stride_hw"), new[] { o.StrideH, o.StrideW });
                    Assert.Equal(Hw("filter_hw"), new[] { o.FilterHeight, o.FilterWidth });
                    Assert.Equal(p.GetProperty("padding").GetString(), PaddingName(o.Padding));
                    Assert.Equal(Act(), o.FusedActivationFunction.ToString());
                    break;
                }
                case "ADD":
                    Assert.Equal(Act(), Assert.IsType<AddOptions>(op.BuiltinOptions).FusedActivationFunction.ToString());
                    break;
                case "MUL":
                    Assert.Equal(Act(), Assert.IsType<MulOptions>(op.BuiltinOptions).FusedActivationFunction.ToString());
                    break;
                case "FULLY_CONNECTED":
                {
                    var o = Assert.IsType<FullyConnectedOptions>(op.BuiltinOptions);
                    Assert.Equal(Act(), o.FusedActivationFunction.ToString());
                    Assert.Equal(p.GetProperty("keep_num_dims").GetBoolean(), o.KeepNumDims);
                    Assert.Equal(FullyConnectedOptionsWeightsFormat.DEFAULT, o.WeightsFormat);
                    break;
                }
                case "SOFTMAX":
                    AssertRelative(p.GetProperty("beta").GetDouble(), Assert.IsType<SoftmaxOptions>(op.BuiltinOptions).Beta, 1e-7, "beta");
                    break;
                case "LEAKY_RELU":
                    AssertRelative(p.GetProperty("alpha").GetDouble(), Assert.IsType<LeakyReluOptions>(op.BuiltinOptions).Alpha, 1e-7, "alpha");
                    break;
                case "CONCATENATION":
                {
                    var o = Assert.IsType<ConcatenationOptions>(op.BuiltinOptions);
                    Assert.Equal(p.GetProperty("axis").GetInt32(), o.Axis);
                    Assert.Equal(ActivationFunctionType.NONE, o.FusedActivationFunction);
                    break;
                }
                case "MEAN":
                    Assert.Equal(p.GetProperty("keep_dims").GetBoolean(), Assert.IsType<ReducerOptions>(op.BuiltinOptions).KeepDims);
                    break;
                case "RESHAPE":
                    if (op.BuiltinOptions is ReshapeOptions r && r.NewShape.Length > 0)
                        Assert.Equal(Hw("new_shape"), r.NewShape);
                    break;
                case "SQUEEZE":
                    Assert.Equal(Hw("squeeze_dims"), Assert.IsType<SqueezeOptions>(op.BuiltinOptions).SqueezeDims);
                    break;
                case "STRIDED_SLICE":
                {
                    var o = Assert.IsType<StridedSliceOptions>(op.BuiltinOptions);
                    Assert.Equal(p.GetProperty("begin_mask").GetInt32(), o.BeginMask);
                    Assert.Equal(p.GetProperty("end_mask").GetInt32(), o.EndMask);
                    Assert.Equal(p.GetProperty("shrink_axis_mask").GetInt32(), o.ShrinkAxisMask);
                    break;
                }
                case "PAD":
                    Assert.True(op.BuiltinOptions == null || op.BuiltinOptions is PadOptions);
                    break;
                case "TRANSPOSE":
                    Assert.True(op.BuiltinOptions == null || op.BuiltinOptions is TransposeOptions);
                    break;
            }

            // Activations: meta inputs/outputs are the model inputs/outputs in order; tflm_reported carries the tensor indices.
            var reported = meta.GetProperty("tflm_reported");
            foreach (var (key, indices) in new[] { ("inputs", sg.Inputs), ("outputs", sg.Outputs) })
            {
                var list = meta.GetProperty(key).EnumerateArray().ToArray();
                var rep = reported.GetProperty(key).EnumerateArray().ToArray();
                Assert.Equal(list.Length, indices.Length);
                for (int i = 0; i < list.Length; i++)
                {
                    Assert.Equal(rep[i].GetProperty("tensor_index").GetInt32(), indices[i]);
                    AssertTensor(list[i], sg.Tensors[indices[i]], name + " " + key + "[" + i + "]", 1e-9);
                }
            }

            // Constants: found by name among the operator's inputs.
            foreach (var c in meta.GetProperty("constants").EnumerateArray())
            {
                string cname = c.GetProperty("name").GetString();
                var matches = op.Inputs.Where(i => i >= 0 && sg.Tensors[i].Name == cname).ToArray();
                Assert.True(matches.Length == 1, name + ": constant '" + cname + "' found " + matches.Length + " times among the operator inputs");
                var t = sg.Tensors[matches[0]];
                AssertTensor(c, t, name + " constant " + cname, 1e-9);
                byte[] data = model.Buffers[t.Buffer].Data;
                Assert.NotEmpty(data);
                if (c.TryGetProperty("values", out var values) && t.Type == TensorType.INT32)
                {
                    var v = new int[data.Length / 4];
                    Buffer.BlockCopy(data, 0, v, 0, v.Length * 4);
                    Assert.Equal(Flatten(values).ToArray(), v);
                }
            }
            AssertBuffersMatchShapes(model);
        }
    }
}

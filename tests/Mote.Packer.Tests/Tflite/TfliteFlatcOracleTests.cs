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
    /// <summary>flatc writes (hand-written JSON -> binary) and reads (real model -> JSON) flatbuffers; our reader must agree.</summary>
    public class TfliteFlatcOracleTests
    {
        const string HandWrittenModel = """
        {
          "version": 3,
          "description": "flatc oracle",
          "operator_codes": [
            { "deprecated_builtin_code": 3, "version": 3 },
            { "deprecated_builtin_code": 4, "builtin_code": 4, "version": 2 },
            { "deprecated_builtin_code": 127, "builtin_code": 150 },
            { "builtin_code": 9 },
            { "deprecated_builtin_code": 32, "builtin_code": 32, "custom_code": "SignalWindow" },
            { "deprecated_builtin_code": 1 },
            { "deprecated_builtin_code": 25 },
            { "deprecated_builtin_code": 41 },
            { "deprecated_builtin_code": 44 },
            { "deprecated_builtin_code": 67 },
            { "deprecated_builtin_code": 98 },
            { "deprecated_builtin_code": 45 },
            { "deprecated_builtin_code": 22 },
            { "deprecated_builtin_code": 40 }
          ],
          "buffers": [
            { },
            { "data": [1, 2, 3, 250, 255, 0, 7] },
            { "data": [] }
          ],
          "subgraphs": [
            {
              "name": "main",
              "inputs": [0],
              "outputs": [2, 3],
              "tensors": [
                { "shape": [1, 8, 8, 3], "type": 9, "name": "input",
                  "quantization": { "scale": [0.25], "zero_point": [-128], "min": [-1.5], "max": [2.5] } },
                { "shape": [4, 3, 3, 3], "type": 9, "buffer": 1, "name": "weights",
                  "quantization": { "scale": [0.5, 0.125, 0.0625, 3.0], "zero_point": [0, 0, 0, 0], "quantized_dimension": 3 } },
                { "shape": [1, 8, 8, 4], "type": 7, "name": "out16", "shape_signature": [-1, 8, 8, 4], "has_rank": true },
                { "shape": [], "type": 0, "name": "state", "is_variable": true, "buffer": 2 }
              ],
              "operators": [
                { "opcode_index": 0, "inputs": [0, 1, -1], "outputs": [2],
                  "builtin_options_type": "Conv2DOptions",
                  "builtin_options": { "padding": 1, "stride_w": 2, "stride_h": 3, "fused_activation_function": 3, "dilation_h_factor": 4 } },
                { "opcode_index": 1, "inputs": [0, 1], "outputs": [2], "intermediates": [3],
                  "builtin_options_type": "DepthwiseConv2DOptions",
                  "builtin_options": { "stride_w": 1, "stride_h": 1, "depth_multiplier": 2, "fused_activation_function": 2,
                                       "dilation_w_factor": 5 } },
                { "opcode_index": 2, "inputs": [0], "outputs": [2] },
                { "opcode_index": 3, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "FullyConnectedOptions",
                  "builtin_options": { "fused_activation_function": 1, "keep_num_dims": true, "weights_format": 1 } },
                { "opcode_index": 4, "inputs": [0], "outputs": [3], "custom_options": [10, 20, 30], "custom_options_format": 0 },
                { "opcode_index": 5, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "Pool2DOptions",
                  "builtin_options": { "padding": 1, "stride_w": 2, "stride_h": 2, "filter_width": 3, "filter_height": 5,
                                       "fused_activation_function": 4 } },
                { "opcode_index": 6, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "SoftmaxOptions", "builtin_options": { "beta": 0.5 } },
                { "opcode_index": 7, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "SubOptions", "builtin_options": { "fused_activation_function": 1, "pot_scale_int16": false } },
                { "opcode_index": 8, "inputs": [0, -1, -1], "outputs": [2],
                  "builtin_options_type": "UnidirectionalSequenceLSTMOptions",
                  "builtin_options": { "fused_activation_function": 4, "cell_clip": 10.0, "proj_clip": 0.25, "time_major": true,
                                       "diagonal_recurrent_tensors": true } },
                { "opcode_index": 9, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "TransposeConvOptions",
                  "builtin_options": { "padding": 1, "stride_w": 2, "stride_h": 1, "fused_activation_function": 1,
                                       "quantized_bias_type": 4 } },
                { "opcode_index": 10, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "LeakyReluOptions", "builtin_options": { "alpha": 0.125 } },
                { "opcode_index": 11, "inputs": [0, 1, 1, 1], "outputs": [2],
                  "builtin_options_type": "StridedSliceOptions",
                  "builtin_options": { "begin_mask": 5, "end_mask": 6, "ellipsis_mask": 1, "new_axis_mask": 2, "shrink_axis_mask": 9,
                                       "offset": true } },
                { "opcode_index": 12, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "ReshapeOptions", "builtin_options": { "new_shape": [-1, 12] } },
                { "opcode_index": 13, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "ReducerOptions", "builtin_options": { "keep_dims": true } },
                { "opcode_index": 0, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "AddOptions", "builtin_options": { } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "SqueezeOptions", "builtin_options": { "squeeze_dims": [1, 2] } },
                { "opcode_index": 0, "inputs": [0, 1], "outputs": [2],
                  "builtin_options_type": "ConcatenationOptions", "builtin_options": { "axis": -1, "fused_activation_function": 3 } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2],
                  "builtin_options_type": "SVDFOptions", "builtin_options": { "rank": 2, "fused_activation_function": 1,
                                                                             "asymmetric_quantize_inputs": true } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2], "builtin_options_type": "PadOptions", "builtin_options": { } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2], "builtin_options_type": "TransposeOptions", "builtin_options": { } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2], "builtin_options_type": "MulOptions",
                  "builtin_options": { "fused_activation_function": 2 } },
                { "opcode_index": 0, "inputs": [0], "outputs": [2], "builtin_options_type": "HardSwishOptions",
                  "builtin_options": { } }
              ]
            },
            { "name": "second", "tensors": [ { "shape": [2], "type": 2 } ], "inputs": [0], "outputs": [0] }
          ]
        }
        """;

        static TfliteModel BuildWithFlatc(string json)
        {
            using var dir = new Flatc.TempDir();
            File.WriteAllText(dir.File("subset.fbs"), Flatc.SubsetSchema);
            File.WriteAllText(dir.File("model.json"), json);
            Flatc.Run(dir.Path, "-b", "-o", dir.Path, "subset.fbs", "model.json");
            byte[] bytes = File.ReadAllBytes(dir.File("model.tflite"));
            return TfliteModel.Parse(bytes, "model.tflite");
        }

        [SkippableFact]
        public void Parse_FlatcBuiltModel_ReadsBackEveryField()
        {
            Flatc.Require();
            var m = BuildWithFlatc(HandWrittenModel);

            Assert.Equal(3u, m.Version);
            Assert.Equal("flatc oracle", m.Description);
            Assert.Equal(new[] { 3, 4, 150, 9, 32, 1, 25, 41, 44, 67, 98, 45, 22, 40 }, m.OperatorCodes.Select(c => c.BuiltinCode));
            Assert.Equal(new[] { 3, 2, 1, 1, 1 }, m.OperatorCodes.Take(5).Select(c => c.Version));
            Assert.Equal("SignalWindow", m.OperatorCodes[4].CustomCode);
            Assert.Equal("CUSTOM:SignalWindow", m.OperatorCodes[4].DisplayName);
            Assert.Null(m.OperatorCodes[0].CustomCode);
            Assert.Equal(127, m.OperatorCodes[2].DeprecatedBuiltinCode);
            Assert.Equal(150, m.OperatorCodes[2].RawBuiltinCode);

            Assert.Equal(3, m.Buffers.Length);
            Assert.Empty(m.Buffers[0].Data);
            Assert.Equal(new byte[] { 1, 2, 3, 250, 255, 0, 7 }, m.Buffers[1].Data);
            Assert.Empty(m.Buffers[2].Data);

            Assert.Equal(2, m.Subgraphs.Length);
            var sg = m.Subgraphs[0];
            Assert.Equal("main", sg.Name);
            Assert.Equal(new[] { 0 }, sg.Inputs);
            Assert.Equal(new[] { 2, 3 }, sg.Outputs);

            var t0 = sg.Tensors[0];
            Assert.Equal(new[] { 1, 8, 8, 3 }, t0.Shape);
            Assert.Equal(TensorType.INT8, t0.Type);
            Assert.Equal(0, t0.Buffer);
            Assert.Equal("input", t0.Name);
            Assert.Equal(new[] { 0.25f }, t0.Quantization.Scale);
            Assert.Equal(new[] { -128L }, t0.Quantization.ZeroPoint);
            Assert.Equal(new[] { -1.5f }, t0.Quantization.Min);
            Assert.Equal(new[] { 2.5f }, t0.Quantization.Max);
            Assert.Equal(0, t0.Quantization.QuantizedDimension);
            Assert.False(t0.IsVariable);

            var t1 = sg.Tensors[1];
            Assert.Equal(1, t1.Buffer);
            Assert.Equal(new[] { 0.5f, 0.125f, 0.0625f, 3.0f }, t1.Quantization.Scale);
            Assert.Equal(3, t1.Quantization.QuantizedDimension);

            var t2 = sg.Tensors[2];
            Assert.Equal(TensorType.INT16, t2.Type);
            Assert.Null(t2.Quantization);
            Assert.Equal(new[] { -1, 8, 8, 4 }, t2.ShapeSignature);
            Assert.True(t2.HasRank);

            var t3 = sg.Tensors[3];
            Assert.Empty(t3.Shape);
            Assert.Equal(TensorType.FLOAT32, t3.Type);
            Assert.True(t3.IsVariable);
            Assert.Equal(2, t3.Buffer);

            var ops = sg.Operators;
            Assert.Equal(22, ops.Length);

            var conv = Assert.IsType<Conv2DOptions>(ops[0].BuiltinOptions);
            Assert.Equal(new[] { 0, 1, -1 }, ops[0].Inputs);
            Assert.Equal(Padding.VALID, conv.Padding);
            Assert.Equal(2, conv.StrideW);
            Assert.Equal(3, conv.StrideH);
            Assert.Equal(ActivationFunctionType.RELU6, conv.FusedActivationFunction);
            Assert.Equal(1, conv.DilationWFactor); // absent -> default 1
            Assert.Equal(4, conv.DilationHFactor);

            var dw = Assert.IsType<DepthwiseConv2DOptions>(ops[1].BuiltinOptions);
            Assert.Equal(Padding.SAME, dw.Padding);
            Assert.Equal(2, dw.DepthMultiplier);
            Assert.Equal(ActivationFunctionType.RELU_N1_TO_1, dw.FusedActivationFunction);
            Assert.Equal(5, dw.DilationWFactor);
            Assert.Equal(1, dw.DilationHFactor);
            Assert.Equal(new[] { 3 }, ops[1].Intermediates);

            Assert.Equal(0, ops[2].BuiltinOptionsType);
            Assert.Null(ops[2].BuiltinOptions);

            var fc = Assert.IsType<FullyConnectedOptions>(ops[3].BuiltinOptions);
            Assert.Equal(ActivationFunctionType.RELU, fc.FusedActivationFunction);
            Assert.True(fc.KeepNumDims);
            Assert.Equal(FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8, fc.WeightsFormat);
            Assert.False(fc.AsymmetricQuantizeInputs);

            Assert.Equal(new byte[] { 10, 20, 30 }, ops[4].CustomOptions);
            Assert.Null(ops[4].BuiltinOptions);

            var pool = Assert.IsType<Pool2DOptions>(ops[5].BuiltinOptions);
            Assert.Equal((Padding.VALID, 2, 2, 3, 5, ActivationFunctionType.TANH),
                (pool.Padding, pool.StrideW, pool.StrideH, pool.FilterWidth, pool.FilterHeight, pool.FusedActivationFunction));

            Assert.Equal(0.5f, Assert.IsType<SoftmaxOptions>(ops[6].BuiltinOptions).Beta);

            var sub = Assert.IsType<SubOptions>(ops[7].BuiltinOptions);
            Assert.Equal(ActivationFunctionType.RELU, sub.FusedActivationFunction);
            Assert.False(sub.PotScaleInt16);

            var lstm = Assert.IsType<UnidirectionalSequenceLSTMOptions>(ops[8].BuiltinOptions);
            Assert.Equal((ActivationFunctionType.TANH, 10f, 0.25f, true, false, true),
                (lstm.FusedActivationFunction, lstm.CellClip, lstm.ProjClip, lstm.TimeMajor, lstm.AsymmetricQuantizeInputs, lstm.DiagonalRecurrentTensors));

            var tc = Assert.IsType<TransposeConvOptions>(ops[9].BuiltinOptions);
            Assert.Equal((Padding.VALID, 2, 1, ActivationFunctionType.RELU, TensorType.INT64),
                (tc.Padding, tc.StrideW, tc.StrideH, tc.FusedActivationFunction, tc.QuantizedBiasType));

            Assert.Equal(0.125f, Assert.IsType<LeakyReluOptions>(ops[10].BuiltinOptions).Alpha);

            var ss = Assert.IsType<StridedSliceOptions>(ops[11].BuiltinOptions);
            Assert.Equal((5, 6, 1, 2, 9, true), (ss.BeginMask, ss.EndMask, ss.EllipsisMask, ss.NewAxisMask, ss.ShrinkAxisMask, ss.Offset));

            Assert.Equal(new[] { -1, 12 }, Assert.IsType<ReshapeOptions>(ops[12].BuiltinOptions).NewShape);
            Assert.True(Assert.IsType<ReducerOptions>(ops[13].BuiltinOptions).KeepDims);

            var add = Assert.IsType<AddOptions>(ops[14].BuiltinOptions);
            Assert.Equal(ActivationFunctionType.NONE, add.FusedActivationFunction);
            Assert.True(add.PotScaleInt16); // schema default true

            Assert.Equal(new[] { 1, 2 }, Assert.IsType<SqueezeOptions>(ops[15].BuiltinOptions).SqueezeDims);
            var cat = Assert.IsType<ConcatenationOptions>(ops[16].BuiltinOptions);
            Assert.Equal((-1, ActivationFunctionType.RELU6), (cat.Axis, cat.FusedActivationFunction));
            var svdf = Assert.IsType<SVDFOptions>(ops[17].BuiltinOptions);
            Assert.Equal((2, ActivationFunctionType.RELU, true), (svdf.Rank, svdf.FusedActivationFunction, svdf.AsymmetricQuantizeInputs));
            Assert.IsType<PadOptions>(ops[18].BuiltinOptions);
            Assert.IsType<TransposeOptions>(ops[19].BuiltinOptions);
            Assert.Equal(ActivationFunctionType.RELU_N1_TO_1, Assert.IsType<MulOptions>(ops[20].BuiltinOptions).FusedActivationFunction);
            Assert.Equal((int)BuiltinOptionsType.HardSwishOptions, ops[21].BuiltinOptionsType);
            Assert.Null(ops[21].BuiltinOptions); // not modelled

            var sg2 = m.Subgraphs[1];
            Assert.Equal("second", sg2.Name);
            Assert.Equal(TensorType.INT32, Assert.Single(sg2.Tensors).Type);
            Assert.Empty(sg2.Operators);
        }

        [SkippableFact]
        public void Parse_FlatcBuiltModelWithBadTensorIndex_ThrowsWithPath()
        {
            Flatc.Require();
            string json = HandWrittenModel.Replace("\"inputs\": [0, 1, -1], \"outputs\": [2]", "\"inputs\": [0, 1, 4], \"outputs\": [2]");
            var e = Assert.Throws<TfliteFormatException>(() => BuildWithFlatc(json));
            Assert.Equal("subgraphs[0].operators[0].inputs", e.Path);
            Assert.Contains("operator 0 (CONV_2D): input 2 refers to tensor 4", e.Message);
        }

        // ------------------------------------------------------------------ real models dumped by flatc

        public static IEnumerable<object[]> Models()
        {
            var files = SharedData.ListOrEmpty("models", "*.tflite");
            if (files.Length == 0) return new[] { new object[] { "(shared data absent)" } };
            return files.Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });
        }

        [SkippableTheory]
        [MemberData(nameof(Models))]
        public void Parse_RealModel_AgreesWithFlatcJsonDump(string name)
        {
            string file = Path.Combine(SharedData.Require("models"), name + ".tflite");
            Flatc.Require();
            CompareWithFlatcDump(file);
        }

        [SkippableFact]
        public void Parse_OpzooCases_AgreeWithFlatcJsonDump()
        {
            string dir = SharedData.Require("opzoo");
            Flatc.Require();
            var files = Directory.GetFiles(dir, "*.tflite");
            Array.Sort(files, StringComparer.Ordinal);
            // One representative per operator keeps this quick; the meta.json tests cover every case.
            foreach (var group in files.GroupBy(f => Path.GetFileName(f).Split("_0")[0]))
                CompareWithFlatcDump(group.First());
        }

        static void CompareWithFlatcDump(string file)
        {
            byte[] bytes = File.ReadAllBytes(file);
            var m = TfliteModel.Parse(bytes, Path.GetFileName(file));
            using var dir = new Flatc.TempDir();
            File.WriteAllText(dir.File("dump.fbs"), Flatc.DumpSchema);
            File.Copy(file, dir.File("model.tflite"));
            Flatc.Run(dir.Path, "--json", "--raw-binary", "--strict-json", "--defaults-json", "-o", dir.Path, "dump.fbs", "--", "model.tflite");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(dir.File("model.json")), new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            string where = Path.GetFileName(file);

            Assert.Equal(root.GetProperty("version").GetUInt32(), m.Version);
            Assert.Equal(Str(root, "description") ?? "", m.Description);

            var codes = Arr(root, "operator_codes");
            Assert.Equal(codes.Length, m.OperatorCodes.Length);
            for (int i = 0; i < codes.Length; i++)
            {
                var c = codes[i];
                int dep = c.GetProperty("deprecated_builtin_code").GetInt32();
                int bc = c.GetProperty("builtin_code").GetInt32();
                Assert.Equal(Math.Max(dep, bc), m.OperatorCodes[i].BuiltinCode);
                Assert.Equal(c.GetProperty("version").GetInt32(), m.OperatorCodes[i].Version);
                Assert.Equal(Str(c, "custom_code"), m.OperatorCodes[i].CustomCode);
            }

            var bufs = Arr(root, "buffers");
            Assert.Equal(bufs.Length, m.Buffers.Length);
            for (int i = 0; i < bufs.Length; i++)
            {
                Assert.Equal(Bytes(bufs[i], "data"), m.Buffers[i].Data);
                Assert.Equal(bufs[i].GetProperty("offset").GetInt64(), m.Buffers[i].Offset);
                Assert.Equal(bufs[i].GetProperty("size").GetInt64(), m.Buffers[i].Size);
            }

            var sgs = Arr(root, "subgraphs");
            Assert.Equal(sgs.Length, m.Subgraphs.Length);
            for (int s = 0; s < sgs.Length; s++)
            {
                var js = sgs[s];
                var sg = m.Subgraphs[s];
                Assert.Equal(Str(js, "name") ?? "", sg.Name);
                Assert.Equal(Ints(js, "inputs"), sg.Inputs);
                Assert.Equal(Ints(js, "outputs"), sg.Outputs);

                var tensors = Arr(js, "tensors");
                Assert.Equal(tensors.Length, sg.Tensors.Length);
                for (int t = 0; t < tensors.Length; t++)
                {
                    var jt = tensors[t];
                    var tt = sg.Tensors[t];
                    string what = where + " tensor " + t;
                    Assert.Equal(Ints(jt, "shape"), tt.Shape);
                    Assert.Equal(jt.GetProperty("type").GetInt32(), (int)tt.Type);
                    Assert.Equal(jt.GetProperty("buffer").GetInt32(), tt.Buffer);
                    Assert.Equal(Str(jt, "name") ?? "", tt.Name);
                    Assert.Equal(jt.GetProperty("is_variable").GetBoolean(), tt.IsVariable);
                    Assert.Equal(jt.GetProperty("has_rank").GetBoolean(), tt.HasRank);
                    Assert.Equal(Ints(jt, "shape_signature"), tt.ShapeSignature);
                    Assert.Equal(jt.TryGetProperty("sparsity", out _), tt.IsSparse);
                    if (!jt.TryGetProperty("quantization", out var q))
                    {
                        Assert.True(tt.Quantization == null, what + ": unexpected quantization");
                        continue;
                    }
                    Assert.NotNull(tt.Quantization);
                    Assert.Equal(UInts(q, "scale"), tt.Quantization.Scale.Select(BitConverter.SingleToUInt32Bits).ToArray());
                    Assert.Equal(UInts(q, "min"), tt.Quantization.Min.Select(BitConverter.SingleToUInt32Bits).ToArray());
                    Assert.Equal(UInts(q, "max"), tt.Quantization.Max.Select(BitConverter.SingleToUInt32Bits).ToArray());
                    Assert.Equal(Longs(q, "zero_point"), tt.Quantization.ZeroPoint);
                    Assert.Equal(q.GetProperty("quantized_dimension").GetInt32(), tt.Quantization.QuantizedDimension);
                }

                var ops = Arr(js, "operators");
                Assert.Equal(ops.Length, sg.Operators.Length);
                for (int o = 0; o < ops.Length; o++)
                {
                    var jo = ops[o];
                    var op = sg.Operators[o];
                    string what = where + " operator " + o;
                    Assert.Equal(jo.GetProperty("opcode_index").GetInt32(), op.OpcodeIndex);
                    Assert.Equal(Ints(jo, "inputs"), op.Inputs);
                    Assert.Equal(Ints(jo, "outputs"), op.Outputs);
                    Assert.Equal(Ints(jo, "intermediates"), op.Intermediates);
                    Assert.Equal(Bytes(jo, "custom_options"), op.CustomOptions);
                    Assert.Equal(jo.GetProperty("custom_options_format").GetInt32(), op.CustomOptionsFormat);
                    string typeName = jo.TryGetProperty("builtin_options_type", out var bt) ? bt.GetString() : "NONE";
                    Assert.Equal(typeName, BuiltinOptionsTypes.Name(op.BuiltinOptionsType));
                    if (op.BuiltinOptions != null)
                        CompareOptions(jo.GetProperty("builtin_options"), op.BuiltinOptions, what);
                }
            }
        }

        /// <summary>Every schema field of our typed options object against flatc's JSON (with defaults written).</summary>
        static void CompareOptions(JsonElement j, object options, string what)
        {
            foreach (var (field, value) in OptionFields(options))
            {
                string w = what + " " + options.GetType().Name + "." + field;
                switch (value)
                {
                    case int[] arr:
                        Assert.True(arr.SequenceEqual(Ints(j, field)), w);
                        break;
                    case bool b:
                        Assert.True(j.GetProperty(field).GetBoolean() == b, w);
                        break;
                    case float f:
                        Assert.True(j.GetProperty(field).GetUInt32() == BitConverter.SingleToUInt32Bits(f), w);
                        break;
                    default:
                        Assert.True(j.GetProperty(field).GetInt64() == Convert.ToInt64(value), w + ": flatc " + j.GetProperty(field) + ", ours " + value);
                        break;
                }
            }
        }

        static IEnumerable<(string, object)> OptionFields(object o)
        {
            switch (o)
            {
                case Conv2DOptions c:
                    return new (string, object)[] { ("padding", (int)c.Padding), ("stride_w", c.StrideW), ("stride_h", c.StrideH),
                        ("fused_activation_function", (int)c.FusedActivationFunction), ("dilation_w_factor", c.DilationWFactor),
                        ("dilation_h_factor", c.DilationHFactor), ("quantized_bias_type", (int)c.QuantizedBiasType) };
                case DepthwiseConv2DOptions c:
                    return new (string, object)[] { ("padding", (int)c.Padding), ("stride_w", c.StrideW), ("stride_h", c.StrideH),
                        ("depth_multiplier", c.DepthMultiplier), ("fused_activation_function", (int)c.FusedActivationFunction),
                        ("dilation_w_factor", c.DilationWFactor), ("dilation_h_factor", c.DilationHFactor) };
                case Pool2DOptions c:
                    return new (string, object)[] { ("padding", (int)c.Padding), ("stride_w", c.StrideW), ("stride_h", c.StrideH),
                        ("filter_width", c.FilterWidth), ("filter_height", c.FilterHeight),
                        ("fused_activation_function", (int)c.FusedActivationFunction) };
                case SVDFOptions c:
                    return new (string, object)[] { ("rank", c.Rank), ("fused_activation_function", (int)c.FusedActivationFunction),
                        ("asymmetric_quantize_inputs", c.AsymmetricQuantizeInputs) };
                case FullyConnectedOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction),
                        ("weights_format", (int)c.WeightsFormat), ("keep_num_dims", c.KeepNumDims),
                        ("asymmetric_quantize_inputs", c.AsymmetricQuantizeInputs), ("quantized_bias_type", (int)c.QuantizedBiasType) };
                case SoftmaxOptions c:
                    return new (string, object)[] { ("beta", c.Beta) };
                case ConcatenationOptions c:
                    return new (string, object)[] { ("axis", c.Axis), ("fused_activation_function", (int)c.FusedActivationFunction) };
                case AddOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction), ("pot_scale_int16", c.PotScaleInt16) };
                case SubOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction), ("pot_scale_int16", c.PotScaleInt16) };
                case MulOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction) };
                case DivOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction) };
                case ReshapeOptions c:
                    return new (string, object)[] { ("new_shape", c.NewShape) };
                case SqueezeOptions c:
                    return new (string, object)[] { ("squeeze_dims", c.SqueezeDims) };
                case ReducerOptions c:
                    return new (string, object)[] { ("keep_dims", c.KeepDims) };
                case StridedSliceOptions c:
                    return new (string, object)[] { ("begin_mask", c.BeginMask), ("end_mask", c.EndMask), ("ellipsis_mask", c.EllipsisMask),
                        ("new_axis_mask", c.NewAxisMask), ("shrink_axis_mask", c.ShrinkAxisMask), ("offset", c.Offset) };
                case TransposeConvOptions c:
                    return new (string, object)[] { ("padding", (int)c.Padding), ("stride_w", c.StrideW), ("stride_h", c.StrideH),
                        ("fused_activation_function", (int)c.FusedActivationFunction), ("quantized_bias_type", (int)c.QuantizedBiasType) };
                case UnidirectionalSequenceLSTMOptions c:
                    return new (string, object)[] { ("fused_activation_function", (int)c.FusedActivationFunction), ("cell_clip", c.CellClip),
                        ("proj_clip", c.ProjClip), ("time_major", c.TimeMajor), ("asymmetric_quantize_inputs", c.AsymmetricQuantizeInputs),
                        ("diagonal_recurrent_tensors", c.DiagonalRecurrentTensors) };
                case LeakyReluOptions c:
                    return new (string, object)[] { ("alpha", c.Alpha) };
                case PadOptions:
                case TransposeOptions:
                    return Array.Empty<(string, object)>();
                default:
                    throw new InvalidOperationException("no field list for " + o.GetType().Name);
            }
        }

        static JsonElement[] Arr(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) ? v.EnumerateArray().ToArray() : Array.Empty<JsonElement>();
        static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
        static int[] Ints(JsonElement e, string name) => Arr(e, name).Select(x => x.GetInt32()).ToArray();
        static uint[] UInts(JsonElement e, string name) => Arr(e, name).Select(x => x.GetUInt32()).ToArray();
        static long[] Longs(JsonElement e, string name) => Arr(e, name).Select(x => x.GetInt64()).ToArray();
        static byte[] Bytes(JsonElement e, string name) => Arr(e, name).Select(x => x.GetByte()).ToArray();
    }
}

using System;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Mote.Packer.Onnx;
using Mote.Packer.Onnx.Proto;
using Xunit;

namespace Mote.Packer.Tests.Onnx
{
    /// <summary>
    /// Round trips through <see cref="OnnxModel.Parse"/>: models written with the generated protobuf classes (and, for
    /// encodings that serializer never emits, by hand with <see cref="ProtoWriter"/>) read back field for field.
    /// </summary>
    public class OnnxReaderTests
    {
        const string File = "test.onnx";

        [Fact]
        public void Parse_ModelHeader_RoundTrips()
        {
            var b = new OnnxBuilder(opset: 17, irVersion: 9, producer: "pytorch")
                .Opset("com.microsoft", 1)
                .Input("x", OnnxDataType.Float, 1)
                .Node("Relu", new[] { "x" }, new[] { "y" })
                .Output("y", OnnxDataType.Float, 1)
                .Tweak(m =>
                {
                    m.ProducerVersion = "2.1.0";
                    m.Domain = "org.example";
                    m.ModelVersion = 42;
                    m.DocString = "a doc";
                    m.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "mote" });
                    m.Graph.Name = "torch_jit";
                    m.Graph.DocString = "graph doc";
                });

            var model = b.Parse("header.onnx");

            Assert.Equal("header.onnx", model.FileName);
            Assert.Equal(9, model.IrVersion);
            Assert.Equal("pytorch", model.ProducerName);
            Assert.Equal("2.1.0", model.ProducerVersion);
            Assert.Equal("org.example", model.Domain);
            Assert.Equal(42, model.ModelVersion);
            Assert.Equal("a doc", model.DocString);
            Assert.Equal(2, model.Opsets.Count);
            Assert.Equal(17, model.Opsets[""]);
            Assert.Equal(1, model.Opsets["com.microsoft"]);
            Assert.Equal(17, model.DefaultOpset);
            Assert.Equal("mote", model.Metadata["author"]);
            Assert.Equal("torch_jit", model.Graph.Name);
            Assert.Equal("graph doc", model.Graph.DocString);
        }

        [Fact]
        public void Parse_AiOnnxDomain_ReadAsDefaultDomain()
        {
            var model = new OnnxBuilder(opset: 0)
                .Opset("ai.onnx", 11)
                .Node("Relu", new[] { "x" }, new[] { "y" }).Domain("ai.onnx")
                .Parse();

            Assert.Equal(11, model.Opsets[""]);
            Assert.False(model.Opsets.ContainsKey("ai.onnx"));
            Assert.Equal("", model.Graph.Nodes[0].Domain);
        }

        [Fact]
        public void Parse_NoOpsetImport_DefaultOpsetIsZero()
        {
            var model = new OnnxBuilder(opset: 0).Parse();
            Assert.Empty(model.Opsets);
            Assert.Equal(0, model.DefaultOpset);
        }

        [Fact]
        public void Parse_ValueInfos_ShapesSymbolsAndMissingDims()
        {
            var model = new OnnxBuilder()
                .InputSymbolic("x", OnnxDataType.Float, "batch", 3, null, 224)
                .InputUnranked("u", OnnxDataType.Int64)
                .Input("s", OnnxDataType.Int8)
                .Output("y", OnnxDataType.UInt8, -1, 10)
                .Value("v", OnnxDataType.Int32, 2, 2)
                .Tweak(m => m.Graph.Input.Add(new ValueInfoProto { Name = "untyped" }))
                .Parse();
            var g = model.Graph;

            var x = g.Inputs[0];
            Assert.Equal("x", x.Name);
            Assert.True(x.IsTensor);
            Assert.True(x.HasShape);
            Assert.Equal(OnnxDataType.Float, x.ElemType);
            Assert.Equal(new long[] { -1, 3, -1, 224 }, x.Dims);
            Assert.Equal(new[] { "batch", "", "", "" }, x.DimParams);
            Assert.Equal(4, x.Rank);
            Assert.Equal("x: FLOAT [batch, 3, ?, 224]", x.ToString());

            var u = g.Inputs[1];
            Assert.True(u.IsTensor);
            Assert.False(u.HasShape);
            Assert.Equal(-1, u.Rank);
            Assert.Empty(u.Dims);
            Assert.Equal(OnnxDataType.Int64, u.ElemType);

            var s = g.Inputs[2];
            Assert.True(s.HasShape);
            Assert.Equal(0, s.Rank); // a scalar: shape present with no dims

            var untyped = g.Inputs[3];
            Assert.False(untyped.IsTensor);
            Assert.False(untyped.HasShape);
            Assert.Equal(OnnxDataType.Undefined, untyped.ElemType);

            Assert.Equal(new long[] { -1, 10 }, g.Outputs[0].Dims); // a negative dim_value reads as unknown
            Assert.Equal(OnnxDataType.UInt8, g.Outputs[0].ElemType);
            Assert.Equal("v", g.ValueInfo[0].Name);
            Assert.Same(g.ValueInfo[0], g.FindValueInfo("v"));
            Assert.Same(g.Outputs[0], g.FindValueInfo("y"));
            Assert.Null(g.FindValueInfo("nope"));
        }

        [Fact]
        public void Parse_RichModel_NodesAndAttributesRoundTrip()
        {
            var model = OnnxTestModels.Rich().Parse();
            var g = model.Graph;

            Assert.Equal(7, g.Nodes.Count);
            for (int i = 0; i < g.Nodes.Count; i++) Assert.Equal(i, g.Nodes[i].Index);

            var conv = g.Nodes[0];
            Assert.Equal("Conv", conv.OpType);
            Assert.Equal("conv1", conv.Name);
            Assert.Equal("", conv.Domain);
            Assert.Equal(new[] { "x", "w", "b" }, conv.Inputs);
            Assert.Equal(new[] { "c" }, conv.Outputs);
            Assert.Equal("node 0 'conv1' (Conv)", conv.Describe);
            Assert.Equal(new long[] { 1, 1, 1, 1 }, conv.GetInts("pads", null));
            Assert.Equal(new long[] { 3, 3 }, conv.GetInts("kernel_shape", null));
            Assert.Equal(1, conv.GetInt("group", 7));
            Assert.Equal(OnnxAttributeType.Ints, conv.Attributes["strides"].Type);
            Assert.Equal(4, conv.Attributes.Count);

            Assert.Equal(0.1f, g.Nodes[1].GetFloat("alpha", 0.01f));

            var constant = g.Nodes[5];
            var value = constant.GetTensor("value");
            Assert.Equal(OnnxDataType.Int64, value.DataType);
            Assert.Equal(new long[] { 7, 8 }, value.ToInt64s());
            Assert.Equal("node 5 'const' (Constant), attribute 'value'", value.Describe);

            Assert.Equal(5, g.Initializers.Count);
            Assert.Equal(new[] { "w", "b", "shape", "scale", "zp" }, g.InitializerList.Select(t => t.Name));
            Assert.Equal(OnnxTestModels.Floats(36), g.Initializers["w"].ToFloats());
            Assert.Equal("raw_data", g.Initializers["w"].StorageField);
            Assert.Equal(OnnxTestModels.Floats(4, seed: 2), g.Initializers["b"].ToFloats());
            Assert.Equal("float_data", g.Initializers["b"].StorageField);
            Assert.Equal(new long[] { -1, 256 }, g.Initializers["shape"].ToInt64s());
            Assert.Empty(g.Initializers["scale"].Dims);
            Assert.Equal(1, g.Initializers["scale"].ElementCount);
            Assert.Equal(new[] { 0.05f }, g.Initializers["scale"].ToFloats());
            Assert.Equal(new sbyte[] { -3 }, g.Initializers["zp"].ToInt8s());
            Assert.Equal("FLOAT [4, 1, 3, 3]", g.Initializers["w"].TypeAndShape);
        }

        [Fact]
        public void Parse_IfNode_NestedGraphsReadAndStored()
        {
            var g = OnnxTestModels.Rich().Parse().Graph;
            var ifNode = g.Nodes[6];

            var then = ifNode.GetGraph("then_branch");
            Assert.Equal("then", then.Name);
            Assert.Equal(new[] { 1f }, then.Initializers["then_c"].ToFloats());
            Assert.Equal("Identity", then.Nodes[0].OpType);
            Assert.Equal("then_out", then.Outputs[0].Name);

            var elseBranch = ifNode.Attributes["else_branch"].G;
            var c = elseBranch.Nodes[0].GetTensor("value");
            Assert.Equal(new[] { 2f }, c.ToFloats());
            Assert.Equal("node 6 'if1' (If), attribute 'else_branch': node 0 'else_const' (Constant), attribute 'value'", c.Describe);

            // Getter errors inside nested graphs say where the graph is.
            var e = Assert.Throws<OnnxFormatException>(() => elseBranch.Nodes[0].GetInt("value", 0));
            Assert.Equal("test.onnx: node 6 'if1' (If), attribute 'else_branch': node 0 'else_const' (Constant), attribute 'value': is TENSOR, expected INT", e.Message);
        }

        [Fact]
        public void Getters_AbsentAttribute_ReturnFallback()
        {
            var node = new OnnxBuilder().Node("Relu", new[] { "x" }, new[] { "y" }).Parse().Graph.Nodes[0];
            Assert.Equal(5, node.GetInt("axis", 5));
            Assert.Equal(1.5f, node.GetFloat("alpha", 1.5f));
            Assert.Equal("NOTSET", node.GetString("auto_pad", "NOTSET"));
            Assert.Null(node.GetInts("pads", null));
            Assert.Equal(new long[] { 0 }, node.GetInts("pads", new long[] { 0 }));
            Assert.Null(node.GetFloats("scales", null));
            Assert.Null(node.GetStrings("names", null));
            Assert.Null(node.GetTensor("value"));
            Assert.Null(node.GetGraph("body"));
            Assert.False(node.Has("axis"));
            Assert.Null(node.Find("axis"));
            Assert.Equal("node 0 (Relu)", node.Describe);
        }

        [Fact]
        public void Getters_EveryAttributeType_RoundTrips()
        {
            var tensors = new[] { OnnxBuilder.Tensor("t0", new[] { 1 }, new[] { 3f }), OnnxBuilder.Tensor("t1", new[] { 1 }, new long[] { 4 }) };
            var sub = new OnnxBuilder(opset: 0).Node("Relu", new[] { "a" }, new[] { "b" }).Graph;
            var node = new OnnxBuilder()
                .Node("Custom", new[] { "x", "", "z" }, new[] { "y", "" }, "n",
                      ("i", 42L), ("negative", -7), ("f", 2.5f), ("s", "SAME_UPPER"), ("ints", new[] { 1, -2, 3 }),
                      ("floats", new[] { 0.5f, -1f }), ("strings", new[] { "a", "b" }), ("t", tensors[0]),
                      ("tensors", tensors), ("g", sub), ("graphs", new[] { sub, sub }), ("empty_ints", Array.Empty<long>()))
                .Domain("com.example")
                .Parse().Graph.Nodes[0];

            Assert.Equal("node 0 'n' (Custom, domain com.example)", node.Describe);
            Assert.Equal("com.example", node.Domain);
            Assert.Equal(new[] { "x", "", "z" }, node.Inputs);
            Assert.Equal(new[] { "y", "" }, node.Outputs);
            Assert.Equal(42, node.GetInt("i", 0));
            Assert.Equal(-7, node.GetInt("negative", 0));
            Assert.Equal(2.5f, node.GetFloat("f", 0));
            Assert.Equal("SAME_UPPER", node.GetString("s", ""));
            Assert.Equal("SAME_UPPER"u8.ToArray(), node.Attributes["s"].SBytes);
            Assert.Equal(new long[] { 1, -2, 3 }, node.GetInts("ints", null));
            Assert.Equal(new[] { 0.5f, -1f }, node.GetFloats("floats", null));
            Assert.Equal(new[] { "a", "b" }, node.GetStrings("strings", null));
            Assert.Equal(new[] { 3f }, node.GetTensor("t").ToFloats());
            Assert.Equal(OnnxAttributeType.Tensors, node.Attributes["tensors"].Type);
            Assert.Equal(new long[] { 4 }, node.Attributes["tensors"].Tensors[1].ToInt64s());
            Assert.Equal("Relu", node.GetGraph("g").Nodes[0].OpType);
            Assert.Equal(2, node.Attributes["graphs"].Graphs.Length);
            Assert.Equal(OnnxAttributeType.Ints, node.Attributes["empty_ints"].Type);
            Assert.Empty(node.GetInts("empty_ints", null));
        }

        [Fact]
        public void Parse_AttributeWithoutTypeField_TypeInferredFromValue()
        {
            // IR version 1 writers left AttributeProto.type unset.
            var node = new NodeProto { OpType = "Old", Name = "old" };
            node.Attribute.Add(new AttributeProto { Name = "i", I = 3 });
            node.Attribute.Add(new AttributeProto { Name = "f", F = 0.5f });
            node.Attribute.Add(new AttributeProto { Name = "s", S = ByteString.CopyFromUtf8("v") });
            var ints = new AttributeProto { Name = "ints" };
            ints.Ints.Add(new long[] { 1, 2 });
            node.Attribute.Add(ints);
            var floats = new AttributeProto { Name = "floats" };
            floats.Floats.Add(1f);
            node.Attribute.Add(floats);
            node.Attribute.Add(new AttributeProto { Name = "t", T = OnnxBuilder.Tensor("", new[] { 1 }, new[] { 1f }) });
            node.Attribute.Add(new AttributeProto { Name = "nothing" });

            var n = new OnnxBuilder().Node(node).Parse().Graph.Nodes[0];

            Assert.Equal(3, n.GetInt("i", 0));
            Assert.Equal(0.5f, n.GetFloat("f", 0));
            Assert.Equal("v", n.GetString("s", ""));
            Assert.Equal(new long[] { 1, 2 }, n.GetInts("ints", null));
            Assert.Equal(new[] { 1f }, n.GetFloats("floats", null));
            Assert.NotNull(n.GetTensor("t"));
            Assert.Equal(OnnxAttributeType.Undefined, n.Attributes["nothing"].Type);
        }

        [Fact]
        public void Parse_OldModelListingInitializersAsInputs_KeepsThemInInputs()
        {
            var model = new OnnxBuilder(opset: 8, irVersion: 3)
                .Input("x", OnnxDataType.Float, 1, 4)
                .Input("w", OnnxDataType.Float, 4, 4)
                .Initializer("w", new[] { 4, 4 }, OnnxTestModels.Floats(16))
                .Node("MatMul", new[] { "x", "w" }, new[] { "y" })
                .Output("y", OnnxDataType.Float, 1, 4)
                .Parse();

            Assert.Equal(new[] { "x", "w" }, model.Graph.Inputs.Select(v => v.Name));
            Assert.Equal(new[] { "x" }, model.Graph.RuntimeInputs.Select(v => v.Name));
            Assert.True(model.Graph.IsInitializer("w"));
            Assert.False(model.Graph.IsInitializer("x"));
        }

        // ---- Tensor storage and conversion ----

        [Fact]
        public void Tensor_RawAndTypedStorage_GiveIdenticalValues()
        {
            int[] dims = { 2, 3 };
            var floats = new[] { 0f, -1.5f, 3.25f, float.MaxValue, float.Epsilon, -0f };
            var doubles = new[] { 0.1, -2.5, 1e10, -1e-3, 7, 1.0 / 3 };
            var halves = Array.ConvertAll(new[] { 0f, 1f, -2f, 0.5f, 65504f, -0.25f }, f => (Half)f);
            var int8s = new sbyte[] { -128, -1, 0, 1, 5, 127 };
            var uint8s = new byte[] { 0, 1, 127, 128, 200, 255 };
            var int16s = new short[] { short.MinValue, -1, 0, 1, 300, short.MaxValue };
            var int32s = new[] { int.MinValue, -1, 0, 1, 123456, int.MaxValue };
            var int64s = new[] { long.MinValue, -1L, 0, 1, 1L << 40, long.MaxValue };

            foreach (var storage in new[] { OnnxStorage.Raw, OnnxStorage.Typed })
            {
                var g = new OnnxBuilder()
                    .Initializer("f", dims, floats, storage).Initializer("d", dims, doubles, storage)
                    .Initializer("h", dims, halves, storage).Initializer("i8", dims, int8s, storage)
                    .Initializer("u8", dims, uint8s, storage).Initializer("i16", dims, int16s, storage)
                    .Initializer("i32", dims, int32s, storage).Initializer("i64", dims, int64s, storage)
                    .Parse().Graph;
                string expectedStorage(string typed) => storage == OnnxStorage.Raw ? "raw_data" : typed;

                Assert.Equal(floats, g.Initializers["f"].ToFloats());
                Assert.Equal(expectedStorage("float_data"), g.Initializers["f"].StorageField);
                Assert.Equal(Array.ConvertAll(doubles, d => (float)d), g.Initializers["d"].ToFloats());
                Assert.Equal(expectedStorage("double_data"), g.Initializers["d"].StorageField);
                Assert.Equal(Array.ConvertAll(halves, h => (float)h), g.Initializers["h"].ToFloats());
                Assert.Equal(int8s, g.Initializers["i8"].ToInt8s());
                Assert.Equal(Array.ConvertAll(int8s, v => (float)v), g.Initializers["i8"].ToFloats());
                Assert.Equal(Array.ConvertAll(int8s, v => (long)v), g.Initializers["i8"].ToInt64s());
                Assert.Equal(expectedStorage("int32_data"), g.Initializers["i8"].StorageField);
                Assert.Equal(uint8s, g.Initializers["u8"].ToUInt8s());
                Assert.Equal(Array.ConvertAll(uint8s, v => (float)v), g.Initializers["u8"].ToFloats());
                Assert.Equal(Array.ConvertAll(int16s, v => (long)v), g.Initializers["i16"].ToInt64s());
                Assert.Equal(Array.ConvertAll(int16s, v => (float)v), g.Initializers["i16"].ToFloats());
                Assert.Equal(int32s, g.Initializers["i32"].ToInt32s());
                Assert.Equal(Array.ConvertAll(int32s, v => (long)v), g.Initializers["i32"].ToInt64s());
                Assert.Equal(Array.ConvertAll(int32s, v => (float)v), g.Initializers["i32"].ToFloats());
                Assert.Equal(int64s, g.Initializers["i64"].ToInt64s());
                Assert.Equal(Array.ConvertAll(int64s, v => (float)v), g.Initializers["i64"].ToFloats());
                Assert.Equal(expectedStorage("int64_data"), g.Initializers["i64"].StorageField);
            }
        }

        [Fact]
        public void Tensor_DoubleData_ConvertedToNearestFloat()
        {
            var t = new OnnxBuilder().Initializer("d", new[] { 3 }, new[] { 0.1, 1e-50, 3.4e39 }).Parse().Graph.Initializers["d"];
            Assert.Equal(OnnxDataType.Double, t.DataType);
            Assert.Equal(new[] { 0.1f, 0f, float.PositiveInfinity }, t.ToFloats());
        }

        [Fact]
        public void Tensor_Int8RawData_ReadsSignedBytes()
        {
            var t = new OnnxBuilder().Initializer("q", new[] { 2, 2 }, new sbyte[] { -128, -1, 0, 127 }).Parse().Graph.Initializers["q"];
            Assert.Equal(new sbyte[] { -128, -1, 0, 127 }, t.ToInt8s());
            Assert.Equal(new byte[] { 0x80, 0xFF, 0x00, 0x7F }, t.RawData.Value.ToArray());
            Assert.Equal(4, t.ElementCount);
            Assert.Equal(new long[] { 2, 2 }, t.Dims);
        }

        [Fact]
        public void Tensor_OtherIntegerTypes_ReadAsInt64AndFloat()
        {
            var raw = new TensorProto { Name = "u32", DataType = (int)OnnxDataType.UInt32, RawData = ByteString.CopyFrom(0xFF, 0xFF, 0xFF, 0xFF) };
            raw.Dims.Add(1);
            var u64 = new TensorProto { Name = "u64", DataType = (int)OnnxDataType.UInt64 };
            u64.Dims.Add(2);
            u64.Uint64Data.Add(new ulong[] { 5, ulong.MaxValue });
            var boolean = new TensorProto { Name = "bool", DataType = (int)OnnxDataType.Bool, RawData = ByteString.CopyFrom(0, 1, 1) };
            boolean.Dims.Add(3);
            var u16 = new TensorProto { Name = "u16", DataType = (int)OnnxDataType.UInt16 };
            u16.Int32Data.Add(65535);
            var bf16 = new TensorProto { Name = "bf16", DataType = (int)OnnxDataType.BFloat16, RawData = ByteString.CopyFrom(0x80, 0x3F) };

            var g = new OnnxBuilder().Initializer(raw).Initializer(u64).Initializer(boolean).Initializer(u16).Initializer(bf16).Parse().Graph;

            Assert.Equal(new long[] { uint.MaxValue }, g.Initializers["u32"].ToInt64s());
            Assert.Equal(new[] { 5f, (float)ulong.MaxValue }, g.Initializers["u64"].ToFloats());
            var e = Assert.Throws<OnnxFormatException>(() => g.Initializers["u64"].ToInt64s());
            Assert.Contains("initializer 'u64': element 1 = 18446744073709551615 does not fit", e.Message);
            Assert.Equal(new long[] { 0, 1, 1 }, g.Initializers["bool"].ToInt64s());
            Assert.Equal(new long[] { 65535 }, g.Initializers["u16"].ToInt64s());
            Assert.Equal(new[] { 1f }, g.Initializers["bf16"].ToFloats());
        }

        [Fact]
        public void Tensor_ScalarAndEmpty_Shapes()
        {
            var empty = new TensorProto { Name = "empty", DataType = (int)OnnxDataType.Float };
            empty.Dims.Add(new long[] { 3, 0 });
            var g = new OnnxBuilder()
                .Scalar("s", 2.5f, OnnxStorage.Typed)
                .Scalar("n", 4L)
                .Initializer(empty)
                .Parse().Graph;

            Assert.Empty(g.Initializers["s"].Dims);
            Assert.Equal(1, g.Initializers["s"].ElementCount);
            Assert.Equal(new[] { 2.5f }, g.Initializers["s"].ToFloats());
            Assert.Equal(new long[] { 4 }, g.Initializers["n"].ToInt64s());
            Assert.Equal(0, g.Initializers["empty"].ElementCount);
            Assert.Equal("", g.Initializers["empty"].StorageField);
            Assert.Empty(g.Initializers["empty"].ToFloats());
            Assert.Null(g.Initializers["empty"].RawData);
        }

        [Fact]
        public void Tensor_StringData_ReadAsStrings()
        {
            var t = new TensorProto { Name = "labels", DataType = (int)OnnxDataType.String };
            t.Dims.Add(2);
            t.StringData.Add(ByteString.CopyFromUtf8("cat"));
            t.StringData.Add(ByteString.CopyFromUtf8("dög"));
            var tensor = new OnnxBuilder().Initializer(t).Parse().Graph.Initializers["labels"];
            Assert.Equal(new[] { "cat", "dög" }, tensor.ToStrings());
            var e = Assert.Throws<OnnxFormatException>(() => tensor.ToFloats());
            Assert.Equal("test.onnx: initializer 'labels': is STRING [2]; cannot read it as float", e.Message);
        }

        [Fact]
        public void Tensor_WrongReadType_ThrowsNamingTensorAndType()
        {
            var g = new OnnxBuilder()
                .Initializer("w", new[] { 2 }, new[] { 1f, 2f })
                .Initializer("u", new[] { 1 }, new byte[] { 1 })
                .Initializer("i", new[] { 1 }, new long[] { 1 })
                .Parse("m.onnx").Graph;

            var e = Assert.Throws<OnnxFormatException>(() => g.Initializers["w"].ToInt64s());
            Assert.Equal("m.onnx: initializer 'w': is FLOAT [2]; cannot read it as integers", e.Message);
            Assert.Equal("m.onnx", e.File);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["u"].ToInt8s());
            Assert.Equal("m.onnx: initializer 'u': is UINT8 [1]; cannot read it as INT8", e.Message);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["w"].ToUInt8s());
            Assert.Contains("cannot read it as UINT8", e.Message);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["i"].ToInt32s());
            Assert.Equal("m.onnx: initializer 'i': is INT64 [1]; cannot read it as INT32", e.Message);
            Assert.Throws<OnnxFormatException>(() => g.Initializers["i"].ToStrings());
        }

        [Fact]
        public void Tensor_UnsupportedTypes_ParseButFailWhenRead()
        {
            var complex = new TensorProto { Name = "c", DataType = (int)OnnxDataType.Complex64 };
            complex.Dims.Add(1);
            complex.FloatData.Add(new[] { 1f, 2f }); // real, imaginary
            var future = new TensorProto { Name = "future", DataType = 99, RawData = ByteString.CopyFrom(1, 2, 3) };
            future.Dims.Add(1);
            var int4 = new TensorProto { Name = "q4", DataType = (int)OnnxDataType.Int4, RawData = ByteString.CopyFrom(0x21, 0x03) };
            int4.Dims.Add(3); // 3 nibbles in 2 bytes
            var undefined = new TensorProto { Name = "u", RawData = ByteString.CopyFrom(1, 2) };
            undefined.Dims.Add(1);

            var g = new OnnxBuilder().Initializer(complex).Initializer(future).Initializer(int4).Initializer(undefined).Parse().Graph;

            Assert.Equal(OnnxDataType.Complex64, g.Initializers["c"].DataType);
            var e = Assert.Throws<OnnxFormatException>(() => g.Initializers["c"].ToFloats());
            Assert.Equal("test.onnx: initializer 'c': is COMPLEX64 [1]; cannot read it as float", e.Message);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["future"].ToFloats());
            Assert.Equal("test.onnx: initializer 'future': is data type 99 [1]; cannot read it as float", e.Message);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["q4"].ToInt64s());
            Assert.Contains("initializer 'q4': is INT4 [3]", e.Message);
            e = Assert.Throws<OnnxFormatException>(() => g.Initializers["u"].ToFloats());
            Assert.Contains("initializer 'u': is UNDEFINED [1]", e.Message);
        }

        [Fact]
        public void Tensor_Int32DataOutOfRangeForNarrowType_ThrowsNamingElement()
        {
            var t = new TensorProto { Name = "q", DataType = (int)OnnxDataType.Int8 };
            t.Dims.Add(2);
            t.Int32Data.Add(new[] { 5, 300 });
            var tensor = new OnnxBuilder().Initializer(t).Parse().Graph.Initializers["q"];

            var e = Assert.Throws<OnnxFormatException>(() => tensor.ToInt8s());
            Assert.Equal("test.onnx: initializer 'q': int32_data[1] = 300 is outside the range of INT8 [-128, 127]", e.Message);
            Assert.Throws<OnnxFormatException>(() => tensor.ToFloats());
            Assert.Throws<OnnxFormatException>(() => tensor.ToInt64s());
        }

        // ---- Wire encodings ----

        /// <summary>The same one-node model (Conv-like attribute + FLOAT initializer + INT64 initializer), with every
        /// repeated numeric field either packed or unpacked. Field numbers from the ONNX schema.</summary>
        internal static byte[] HandEncoded(bool packed)
        {
            var floatTensor = new ProtoWriter().String(8, "w").Int(2, (long)OnnxDataType.Float);
            var intTensor = new ProtoWriter().String(8, "shape").Int(2, (long)OnnxDataType.Int64);
            var attr = new ProtoWriter().String(1, "pads").Int(20, (long)OnnxAttributeType.Ints);
            var floatsAttr = new ProtoWriter().String(1, "scales").Int(20, (long)OnnxAttributeType.Floats);
            float[] w = { 1.5f, -2f, 0.25f, 8f };
            long[] shape = { -1, 4 };
            long[] pads = { 0, 1, -1, 300 };
            if (packed)
            {
                floatTensor.PackedInts(1, 2, 2).PackedFloats(4, w);
                intTensor.PackedInts(1, 2).PackedInts(7, shape);
                attr.PackedInts(8, pads);
                floatsAttr.PackedFloats(7, 0.5f, 2f);
            }
            else
            {
                floatTensor.Int(1, 2).Int(1, 2);
                foreach (float f in w) floatTensor.Fixed32(4, f);
                intTensor.Int(1, 2);
                foreach (long v in shape) intTensor.Int(7, v);
                foreach (long v in pads) attr.Int(8, v);
                floatsAttr.Fixed32(7, 0.5f).Fixed32(7, 2f);
            }
            var node = new ProtoWriter().String(1, "x").String(1, "w").String(2, "y").String(3, "n").String(4, "Op")
                .Message(5, attr).Message(5, floatsAttr);
            var graph = new ProtoWriter().Message(1, node).String(2, "g").Message(5, floatTensor).Message(5, intTensor);
            var opset = new ProtoWriter().String(1, "").Int(2, 13);
            return new ProtoWriter().Int(1, 8).Message(7, graph).Message(8, opset).ToArray();
        }

        [Fact]
        public void Parse_PackedAndUnpackedRepeatedFields_ReadTheSame()
        {
            foreach (bool packed in new[] { true, false })
            {
                var g = OnnxModel.Parse(HandEncoded(packed), File).Graph;
                string which = packed ? "packed" : "unpacked";
                Assert.True(new long[] { 2, 2 }.SequenceEqual(g.Initializers["w"].Dims), which);
                Assert.True(new[] { 1.5f, -2f, 0.25f, 8f }.SequenceEqual(g.Initializers["w"].ToFloats()), which);
                Assert.Equal("float_data", g.Initializers["w"].StorageField);
                Assert.True(new long[] { -1, 4 }.SequenceEqual(g.Initializers["shape"].ToInt64s()), which);
                Assert.True(new long[] { 0, 1, -1, 300 }.SequenceEqual(g.Nodes[0].GetInts("pads", null)), which);
                Assert.True(new[] { 0.5f, 2f }.SequenceEqual(g.Nodes[0].GetFloats("scales", null)), which);
            }
        }

        [Fact]
        public void Parse_GeneratedSerializer_MatchesHandEncodedPackedFloatData()
        {
            // What the generated serializer writes for float_data (declared packed, like ONNX) is what the hand
            // encoder calls packed: tag 0x22 (field 4, wire type 2) then the byte length.
            var t = new TensorProto { Name = "w" };
            t.FloatData.Add(1.5f);
            var bytes = t.ToByteArray();
            Assert.Equal(new byte[] { 0x22, 4 }, bytes.Take(2).ToArray());
        }

        [Fact]
        public void Parse_UnknownFields_Ignored()
        {
            // Fields this reader does not model (node overload = 8, node metadata_props = 9, model training_info = 20,
            // functions = 25) and fields no ONNX version defines (999, of every wire type) are skipped.
            var node = new ProtoWriter().String(1, "x").String(2, "y").String(4, "Relu").String(8, "ovl")
                .Message(9, new ProtoWriter().String(1, "k").String(2, "v")).Int(999, 5);
            var graph = new ProtoWriter().Message(1, node).String(2, "g").Message(14, new ProtoWriter().String(1, "t"));
            var bytes = new ProtoWriter().Int(1, 10).Message(7, graph).Message(8, new ProtoWriter().Int(2, 21))
                .Message(20, new ProtoWriter().String(1, "x")).Message(25, new ProtoWriter().String(1, "f"))
                .Fixed32(998, 1f).Tag(997, 1).Raw(1, 2, 3, 4, 5, 6, 7, 8).String(996, "z")
                .ToArray();

            var model = OnnxModel.Parse(bytes, File);

            Assert.Equal(10, model.IrVersion);
            Assert.Equal(21, model.Opsets[""]);
            Assert.Equal("Relu", model.Graph.Nodes[0].OpType);
            Assert.Empty(model.Graph.Nodes[0].Attributes);
        }

        // ---- Files ----

        [Fact]
        public void Load_WrittenFile_RoundTrips()
        {
            string path = Path.Combine(Path.GetTempPath(), "mote-onnx-" + Guid.NewGuid().ToString("N") + ".onnx");
            try
            {
                OnnxTestModels.Rich().Save(path);
                var model = OnnxModel.Load(path);
                Assert.Equal(path, model.FileName);
                Assert.Equal(7, model.Graph.Nodes.Count);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void Load_MissingFile_ThrowsFormatExceptionNamingFile()
        {
            string path = Path.Combine(Path.GetTempPath(), "mote-no-such-dir-" + Guid.NewGuid().ToString("N"), "model.onnx");
            var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path));
            Assert.Equal(path + ": file not found", e.Message);
            Assert.Equal(path, e.File);
        }
    }
}

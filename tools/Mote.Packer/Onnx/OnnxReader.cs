using System;
using System.Collections.Generic;
using Mote.Packer.Onnx.Proto;

namespace Mote.Packer.Onnx
{
    /// <summary>
    /// Turns the bytes of an .onnx file into an <see cref="OnnxModel"/> in two steps:
    /// <list type="number">
    /// <item>Check the wire structure (<see cref="OnnxWireCheck"/>: every length within its enclosing message,
    /// nesting at most 100 deep, ...), then decode it with the classes generated from <c>onnx_subset.proto</c>. So no
    /// input makes the decoder allocate much more than the file's size or recurse without limit. Packed and unpacked
    /// encodings of every repeated numeric field are accepted; fields the subset does not know are skipped.</item>
    /// <item>Convert and check what the importer relies on: a graph is present; opset domains, initializer names and
    /// graph input names are unique; every node has an op type; attributes have names, unique per node, and no
    /// ref_attr_name (which only functions may use); every tensor (initializers, TENSOR/TENSORS attributes, nested
    /// graphs too) passes <see cref="OnnxTensor"/>'s shape and storage checks; no data is external, segmented or
    /// sparse.</item>
    /// </list>
    /// Every failure is an <see cref="OnnxFormatException"/> whose message names the file and the item.
    /// </summary>
    internal static class OnnxReader
    {
        internal static OnnxModel Read(byte[] bytes, string file)
        {
            if (bytes.Length == 0)
                throw new OnnxFormatException(file, "the file is empty (0 bytes); expected an ONNX model (a protobuf ModelProto)");
            if (bytes.Length >= 8 && bytes[4] == (byte)'T' && bytes[5] == (byte)'F' && bytes[6] == (byte)'L' && bytes[7] == (byte)'3')
                throw new OnnxFormatException(file, "this is a TensorFlow Lite model (file identifier TFL3), not an ONNX model");

            string wireProblem = OnnxWireCheck.Check(bytes);
            if (wireProblem != null) throw new OnnxFormatException(file, "not a valid ONNX protobuf: " + wireProblem);

            ModelProto proto;
            try
            {
                proto = ModelProto.Parser.ParseFrom(bytes);
            }
            catch (Exception e)
            {
                // After the wire check only content the decoder validates itself can fail here (invalid UTF-8 in strings
                // is replaced, not rejected). Whatever it is, the file is at fault.
                throw new OnnxFormatException(file, "not a valid ONNX protobuf: " + e.Message, e);
            }

            try
            {
                return Convert(proto, file);
            }
            catch (OnnxFormatException)
            {
                throw;
            }
            catch (Exception e)
            {
                // Defence in depth: the conversion checks before it indexes, so this should never happen (the fuzz tests
                // assert that no exception but a protobuf decoding failure is wrapped).
                throw new OnnxFormatException(file, "internal error while reading the model: " + e.GetType().Name + ": " + e.Message, e);
            }
        }

        static string NormalizeDomain(string domain) => domain == "ai.onnx" ? "" : domain;

        static OnnxModel Convert(ModelProto proto, string file)
        {
            if (proto.Graph == null)
            {
                bool looksLikeOnnx = proto.HasIrVersion || proto.OpsetImport.Count > 0 || proto.HasProducerName;
                throw new OnnxFormatException(file, looksLikeOnnx
                    ? "the model has no graph (ModelProto.graph is missing)"
                    : "not an ONNX model: no graph, IR version or opset found (is this another kind of protobuf file?)");
            }

            var opsets = new Dictionary<string, long>();
            foreach (var op in proto.OpsetImport)
            {
                string domain = NormalizeDomain(op.Domain);
                if (opsets.ContainsKey(domain))
                    throw new OnnxFormatException(file, "opset_import lists domain '" + (domain.Length == 0 ? "ai.onnx" : domain) + "' twice");
                opsets[domain] = op.Version;
            }
            var metadata = new Dictionary<string, string>();
            foreach (var e in proto.MetadataProps) metadata[e.Key] = e.Value;

            return new OnnxModel
            {
                FileName = file,
                IrVersion = proto.IrVersion,
                ProducerName = proto.ProducerName,
                ProducerVersion = proto.ProducerVersion,
                Domain = proto.Domain,
                ModelVersion = proto.ModelVersion,
                DocString = proto.DocString,
                Opsets = opsets,
                Metadata = metadata,
                Graph = ReadGraph(proto.Graph, file, ""),
            };
        }

        /// <summary>Reads a graph; <paramref name="context"/> is "" for the main graph and e.g.
        /// <c>node 2 'if' (If), attribute 'then_branch': </c> for a nested one.</summary>
        static OnnxGraph ReadGraph(GraphProto g, string file, string context)
        {
            OnnxFormatException Bad(string detail) => new OnnxFormatException(file, context + detail);

            if (g.SparseInitializer.Count > 0)
            {
                string name = g.SparseInitializer[0].Values?.Name ?? "";
                throw Bad("sparse initializer '" + name + "' is not supported; store it as a dense initializer");
            }

            var initializers = new Dictionary<string, OnnxTensor>();
            var initializerIndex = new Dictionary<string, int>();
            var initializerList = new List<OnnxTensor>(g.Initializer.Count);
            for (int i = 0; i < g.Initializer.Count; i++)
            {
                var t = g.Initializer[i];
                if (t.Name.Length == 0) throw Bad("initializer " + i + " has no name");
                if (initializerIndex.TryGetValue(t.Name, out int first))
                    throw Bad("initializer '" + t.Name + "' is defined twice (initializers " + first + " and " + i + ")");
                initializerIndex[t.Name] = i;
                var tensor = OnnxTensor.FromProto(t, file, context + "initializer '" + t.Name + "'");
                initializers[t.Name] = tensor;
                initializerList.Add(tensor);
            }

            var inputs = ReadValueInfos(g.Input, file, context, "graph input");
            var seen = new HashSet<string>();
            foreach (var v in inputs)
                if (!seen.Add(v.Name)) throw Bad("graph input '" + v.Name + "' is listed twice");
            var outputs = ReadValueInfos(g.Output, file, context, "graph output");
            var valueInfo = ReadValueInfos(g.ValueInfo, file, context, "value_info");

            var nodes = new OnnxNode[g.Node.Count];
            for (int i = 0; i < nodes.Length; i++)
                nodes[i] = ReadNode(g.Node[i], i, file, context);

            return new OnnxGraph
            {
                Name = g.Name,
                DocString = g.DocString,
                Nodes = nodes,
                Initializers = initializers,
                InitializerList = initializerList,
                Inputs = inputs,
                Outputs = outputs,
                ValueInfo = valueInfo,
            };
        }

        static OnnxValueInfo[] ReadValueInfos(IList<ValueInfoProto> list, string file, string context, string what)
        {
            var result = new OnnxValueInfo[list.Count];
            for (int i = 0; i < result.Length; i++)
            {
                var v = list[i];
                if (v.Name.Length == 0) throw new OnnxFormatException(file, context + what + " " + i + " has no name");
                result[i] = ReadValueInfo(v);
            }
            return result;
        }

        static OnnxValueInfo ReadValueInfo(ValueInfoProto v)
        {
            var tensorType = v.Type != null && v.Type.ValueCase == TypeProto.ValueOneofCase.TensorType ? v.Type.TensorType : null;
            if (tensorType == null) return new OnnxValueInfo { Name = v.Name, DocString = v.DocString };

            var shape = tensorType.Shape;
            int rank = shape?.Dim.Count ?? 0;
            var dims = new long[rank];
            var dimParams = new string[rank];
            for (int i = 0; i < rank; i++)
            {
                var d = shape.Dim[i];
                dimParams[i] = "";
                dims[i] = -1;
                if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0) dims[i] = d.DimValue;
                else if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam) dimParams[i] = d.DimParam;
            }
            return new OnnxValueInfo
            {
                Name = v.Name,
                DocString = v.DocString,
                IsTensor = true,
                ElemType = (OnnxDataType)tensorType.ElemType,
                HasShape = shape != null,
                Dims = dims,
                DimParams = dimParams,
            };
        }

        static OnnxNode ReadNode(NodeProto n, int index, string file, string context)
        {
            string domain = NormalizeDomain(n.Domain);
            string where = context + OnnxNode.Format(index, n.Name, n.OpType, domain);
            if (n.OpType.Length == 0) throw new OnnxFormatException(file, where + ": has no op_type");

            var attributes = new Dictionary<string, OnnxAttribute>();
            for (int k = 0; k < n.Attribute.Count; k++)
            {
                var a = n.Attribute[k];
                if (a.Name.Length == 0) throw new OnnxFormatException(file, where + ": attribute " + k + " has no name");
                if (attributes.ContainsKey(a.Name))
                    throw new OnnxFormatException(file, where + ": attribute '" + a.Name + "' is given twice");
                attributes[a.Name] = ReadAttribute(a, file, where + ", attribute '" + a.Name + "'");
            }

            var inputs = new string[n.Input.Count];
            n.Input.CopyTo(inputs, 0);
            var outputs = new string[n.Output.Count];
            n.Output.CopyTo(outputs, 0);
            return new OnnxNode
            {
                File = file,
                Context = context,
                Index = index,
                Name = n.Name,
                OpType = n.OpType,
                Domain = domain,
                Inputs = inputs,
                Outputs = outputs,
                Attributes = attributes,
                DocString = n.DocString,
            };
        }

        static OnnxAttribute ReadAttribute(AttributeProto a, string file, string where)
        {
            if (a.RefAttrName.Length > 0)
                throw new OnnxFormatException(file, where + ": refers to function attribute '" + a.RefAttrName +
                                                    "' (ref_attr_name), which is only allowed inside a function body");

            var floats = new float[a.Floats.Count];
            a.Floats.CopyTo(floats, 0);
            var ints = new long[a.Ints.Count];
            a.Ints.CopyTo(ints, 0);
            var strings = new string[a.Strings.Count];
            for (int j = 0; j < strings.Length; j++) strings[j] = a.Strings[j].ToStringUtf8();
            var tensors = new OnnxTensor[a.Tensors.Count];
            for (int j = 0; j < tensors.Length; j++) tensors[j] = OnnxTensor.FromProto(a.Tensors[j], file, where + ", tensor " + j);
            var graphs = new OnnxGraph[a.Graphs.Count];
            for (int j = 0; j < graphs.Length; j++) graphs[j] = ReadGraph(a.Graphs[j], file, where + ", graph " + j + ": ");

            return new OnnxAttribute
            {
                Name = a.Name,
                Type = a.HasType ? (OnnxAttributeType)a.Type : InferType(a),
                F = a.F,
                I = a.I,
                S = a.S.ToStringUtf8(),
                SBytes = a.S.ToByteArray(),
                T = a.T == null ? null : OnnxTensor.FromProto(a.T, file, where),
                G = a.G == null ? null : ReadGraph(a.G, file, where + ": "),
                Floats = floats,
                Ints = ints,
                Strings = strings,
                Tensors = tensors,
                Graphs = graphs,
                DocString = a.DocString,
            };
        }

        /// <summary>The type of an attribute written without its type field (IR version 1 files): the value field that is set.</summary>
        static OnnxAttributeType InferType(AttributeProto a)
        {
            if (a.Floats.Count > 0) return OnnxAttributeType.Floats;
            if (a.Ints.Count > 0) return OnnxAttributeType.Ints;
            if (a.Strings.Count > 0) return OnnxAttributeType.Strings;
            if (a.Tensors.Count > 0) return OnnxAttributeType.Tensors;
            if (a.Graphs.Count > 0) return OnnxAttributeType.Graphs;
            if (a.T != null) return OnnxAttributeType.Tensor;
            if (a.G != null) return OnnxAttributeType.Graph;
            if (a.HasS) return OnnxAttributeType.String;
            if (a.HasI) return OnnxAttributeType.Int;
            if (a.HasF) return OnnxAttributeType.Float;
            return OnnxAttributeType.Undefined;
        }
    }
}

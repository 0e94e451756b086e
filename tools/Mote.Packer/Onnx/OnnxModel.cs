using System;
using System.Collections.Generic;
using System.IO;

namespace Mote.Packer.Onnx
{
    /// <summary>
    /// An ONNX model (protobuf ModelProto) read into memory with <see cref="Parse"/> or <see cref="Load"/>.
    /// Reading checks the structure the importer relies on (see <see cref="OnnxReader"/> for the full list) and throws
    /// <see cref="OnnxFormatException"/>, never another exception type, for any malformed file. Fields the reader does
    /// not model (training info, model-local functions, quantization annotations, metadata of nodes and values) are
    /// skipped; they do not change how an inference graph computes.
    /// </summary>
    public sealed class OnnxModel
    {
        /// <summary>The file name given to the reader (used in messages).</summary>
        public string FileName { get; init; } = "";
        /// <summary>ONNX IR version (3 and later carry opset_import; 4 and later stop listing initializers as graph inputs).</summary>
        public long IrVersion { get; init; }
        public string ProducerName { get; init; } = "";
        public string ProducerVersion { get; init; } = "";
        public string Domain { get; init; } = "";
        public long ModelVersion { get; init; }
        public string DocString { get; init; } = "";
        /// <summary>Operator-set version per domain; "" is the default ONNX domain (a file's "ai.onnx" is read as "").</summary>
        public IReadOnlyDictionary<string, long> Opsets { get; init; } = new Dictionary<string, long>();
        /// <summary>metadata_props (a repeated key keeps its last value).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
        public OnnxGraph Graph { get; init; }

        /// <summary>The default-domain opset version, or 0 when the file does not import it.</summary>
        public long DefaultOpset => Opsets.TryGetValue("", out long v) ? v : 0;

        /// <summary>Reads a model from the bytes of an .onnx file. <paramref name="fileName"/> is used in messages only.</summary>
        /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
        public static OnnxModel Parse(byte[] bytes, string fileName)
        {
            if (bytes == null) throw new ArgumentNullException(nameof(bytes));
            return OnnxReader.Read(bytes, fileName ?? "");
        }

        /// <summary>Reads an .onnx file; the path as given names the file in messages.</summary>
        /// <exception cref="OnnxFormatException">The file cannot be read or is not a well-formed ONNX model.</exception>
        public static OnnxModel Load(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException ||
                                      e is NotSupportedException || e is System.Security.SecurityException)
            {
                string why = e is FileNotFoundException || e is DirectoryNotFoundException ? "file not found" : "cannot read the file: " + e.Message;
                throw new OnnxFormatException(path, why, e);
            }
            return OnnxReader.Read(bytes, path);
        }
    }

    /// <summary>
    /// A graph: nodes in the file's (topological) order, constant tensors by name, and the declared inputs, outputs
    /// and intermediate value infos. Files written for IR version 3 or older also list every initializer among
    /// <see cref="Inputs"/> (as an input with a default value); they are kept there as written:
    /// <see cref="RuntimeInputs"/> leaves them out.
    /// </summary>
    public sealed class OnnxGraph
    {
        public string Name { get; init; } = "";
        public string DocString { get; init; } = "";
        public IReadOnlyList<OnnxNode> Nodes { get; init; } = Array.Empty<OnnxNode>();
        /// <summary>Initializers by name (names are unique: duplicates are rejected at parse).</summary>
        public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; } = new Dictionary<string, OnnxTensor>();
        /// <summary>The same initializers in file order.</summary>
        public IReadOnlyList<OnnxTensor> InitializerList { get; init; } = Array.Empty<OnnxTensor>();
        /// <summary>graph.input as listed (see the class remarks about initializers).</summary>
        public IReadOnlyList<OnnxValueInfo> Inputs { get; init; } = Array.Empty<OnnxValueInfo>();
        public IReadOnlyList<OnnxValueInfo> Outputs { get; init; } = Array.Empty<OnnxValueInfo>();
        /// <summary>graph.value_info: optional type/shape information about intermediate values.</summary>
        public IReadOnlyList<OnnxValueInfo> ValueInfo { get; init; } = Array.Empty<OnnxValueInfo>();

        /// <summary>The inputs that are not initializers: what a caller must feed.</summary>
        public IReadOnlyList<OnnxValueInfo> RuntimeInputs
        {
            get
            {
                var list = new List<OnnxValueInfo>();
                foreach (var v in Inputs)
                    if (!Initializers.ContainsKey(v.Name)) list.Add(v);
                return list;
            }
        }

        public bool IsInitializer(string name) => name != null && Initializers.ContainsKey(name);

        /// <summary>The value info naming <paramref name="name"/> among inputs, outputs and value_info (in that order), or null.</summary>
        public OnnxValueInfo FindValueInfo(string name)
        {
            foreach (var list in new[] { Inputs, Outputs, ValueInfo })
                foreach (var v in list)
                    if (v.Name == name) return v;
            return null;
        }
    }

    /// <summary>
    /// The declared type and shape of a value (ValueInfoProto). Only tensor types are modelled: for a value declared
    /// with another type (sequence, map, ...) or without a type, <see cref="IsTensor"/> is false, <see cref="ElemType"/>
    /// is Undefined and <see cref="HasShape"/> is false.
    /// </summary>
    public sealed class OnnxValueInfo
    {
        public string Name { get; init; } = "";
        /// <summary>True when the value is declared as a tensor (TypeProto.tensor_type).</summary>
        public bool IsTensor { get; init; }
        public OnnxDataType ElemType { get; init; }
        /// <summary>True when the rank is known (a shape is declared, possibly with symbolic dimensions).</summary>
        public bool HasShape { get; init; }
        /// <summary>Dimensions; -1 where a dimension is symbolic, missing, or written negative. Empty without a shape.</summary>
        public long[] Dims { get; init; } = Array.Empty<long>();
        /// <summary>Per dimension: the symbolic name (e.g. "batch") or "" for a numeric or missing dimension.</summary>
        public string[] DimParams { get; init; } = Array.Empty<string>();
        public string DocString { get; init; } = "";

        /// <summary>Rank, or -1 when unknown.</summary>
        public int Rank => HasShape ? Dims.Length : -1;

        public override string ToString()
        {
            if (!IsTensor) return Name + ": (not a tensor)";
            var dims = new string[Dims.Length];
            for (int i = 0; i < dims.Length; i++)
                dims[i] = DimParams[i].Length > 0 ? DimParams[i] : Dims[i] < 0 ? "?" : Dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Name + ": " + OnnxDataTypes.Name(ElemType) + (HasShape ? " [" + string.Join(", ", dims) + "]" : " (rank unknown)");
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;
using Mote.Packer.Onnx;

namespace Mote.Packer
{
    /// <summary>
    /// Lowers an ONNX model (float, or QDQ with its scales) to a <see cref="FloatGraph"/> in the
    /// runtime's layout. ONNX is channels-first (NCHW, NCW for 1-D); the graph is channels-last
    /// (NHWC; 1-D becomes NHWC with H = 1), converted here at pack time: weights are permuted
    /// (OIHW → OHWI), BatchNormalization is folded into the preceding convolution or Gemm (or
    /// becomes a 1×1 depthwise convolution), Relu/Clip are fused into their producer where TFLite
    /// can, constants are folded, and a Flatten of a channels-first map is absorbed by permuting
    /// the next Gemm's weight columns. Anything else that would need a runtime transpose is
    /// refused, naming the node. Unsupported operators are all listed at once.
    /// </summary>
    public sealed class OnnxImporter
    {
        static readonly string[] SupportedOps =
        {
            "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "Conv", "Div", "Dropout",
            "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity", "LeakyRelu", "MatMul", "MaxPool",
            "Mul", "Pad", "QuantizeLinear", "DequantizeLinear", "Relu", "Reshape", "Shape", "Sigmoid", "Softmax", "Squeeze",
            "Sub", "Tanh", "Transpose", "Unsqueeze",
        };

        enum Layout { Plain, ChannelsLast }

        /// <summary>A constant value in ONNX layout, with its integer values and scales when it came from a DequantizeLinear.</summary>
        sealed class Const
        {
            public float[] Data;
            public int[] Dims;
            public bool IsInteger;
            public long[] Ints;
            public FixedQuant Quant;
            public int Count => Data.Length;
        }

        /// <summary>An activation value: its float tensor, its ONNX shape and how the graph stores it.</summary>
        sealed class Val
        {
            public int Tensor;
            public int[] OnnxShape;
            public Layout Layout;
            /// <summary>A [N, C·H·W] flatten stored in H, W, C order: (C, H, W) of the map it came from.</summary>
            public (int c, int h, int w)? FlattenedFrom;
            /// <summary>Output of a QuantizeLinear (int8 in ONNX); only a DequantizeLinear may read it.</summary>
            public FixedQuant QuantizedBy;
        }

        readonly OnnxModel model;
        readonly string file;
        readonly FloatGraph g = new();
        readonly Dictionary<string, Const> consts = new();
        readonly Dictionary<string, Val> vals = new();
        readonly Dictionary<string, int> uses = new();
        readonly HashSet<string> graphOutputs;
        long opset;

        OnnxImporter(OnnxModel model)
        {
            this.model = model;
            file = model.FileName;
            g.SourceName = file;
            graphOutputs = new HashSet<string>(model.Graph.Outputs.Select(o => o.Name));
        }

        public static FloatGraph Import(OnnxModel model)
        {
            var imp = new OnnxImporter(model);
            imp.Run();
            return imp.g;
        }

        PackException Error(OnnxNode n, string message) => new($"{file}: {n.Describe}: {message}");

        void Run()
        {
            opset = model.Opsets.TryGetValue("", out long v) ? v : model.Opsets.TryGetValue("ai.onnx", out v) ? v : 13;
            if (opset < 7) throw new PackException($"{file}: ONNX opset {opset} is too old; Mote reads opset 7 and later (re-export with a newer exporter)");
            var unsupported = model.Graph.Nodes
                .Where(n => !(n.Domain is "" or "ai.onnx") || Array.IndexOf(SupportedOps, n.OpType) < 0)
                .Select(n => n.Describe).ToList();
            if (unsupported.Count > 0)
                throw new PackException($"{file}: {unsupported.Count} node(s) use operators Mote does not support: {string.Join(", ", unsupported.Take(12))}"
                    + (unsupported.Count > 12 ? ", ..." : "") + ". Supported: " + string.Join(", ", SupportedOps) + ".");

            foreach (var n in model.Graph.Nodes)
                foreach (var i in n.Inputs)
                    if (i.Length > 0) uses[i] = uses.GetValueOrDefault(i) + 1;
            foreach (var o in model.Graph.Outputs) uses[o.Name] = uses.GetValueOrDefault(o.Name) + 1;

            foreach (var (name, t) in model.Graph.Initializers) consts[name] = FromTensor(t, $"initializer '{name}'");
            foreach (var input in model.Graph.Inputs)
            {
                if (consts.ContainsKey(input.Name)) continue;
                AddInput(input);
            }
            if (g.Inputs.Count == 0) throw new PackException($"{file}: the graph has no (non-initializer) input");

            foreach (var n in model.Graph.Nodes)
            {
                foreach (var i in n.Inputs)
                    if (i.Length > 0 && !consts.ContainsKey(i) && !vals.ContainsKey(i))
                        throw Error(n, $"input '{i}' is neither a graph input, an initializer nor the output of an earlier node (missing initializer, or nodes out of order)");
                int need = MinInputs(n.OpType);
                if (n.Inputs.Length < need || n.Inputs.Take(need).Any(i => i.Length == 0))
                    throw Error(n, $"has {n.Inputs.Count(i => i.Length > 0)} input(s); {n.OpType} needs at least {need}");
                if (n.OpType != "Constant" && n.Outputs.Length == 0) throw Error(n, "has no output");
                try
                {
                    Lower(n);
                }
                catch (Exception e) when (e is IndexOutOfRangeException or KeyNotFoundException or OverflowException or ArgumentException
                                              or InvalidOperationException or NullReferenceException or DivideByZeroException)
                {
                    // A node that is inconsistent in a way no specific check caught: still a typed error naming it.
                    throw Error(n, $"is malformed ({e.GetType().Name}: {e.Message})");
                }
            }

            foreach (var o in model.Graph.Outputs)
            {
                if (!vals.TryGetValue(o.Name, out var val))
                    throw new PackException(consts.ContainsKey(o.Name)
                        ? $"{file}: graph output '{o.Name}' is a constant; Mote needs every output computed from the input"
                        : $"{file}: graph output '{o.Name}' is not produced by any node");
                if (val.FlattenedFrom != null)
                    throw new PackException($"{file}: graph output '{o.Name}' is a flattened channels-first map; Mote's layout (channels last) would order it differently. End the model with a Gemm/MatMul or pool to 1x1 first");
                if (val.QuantizedBy != null)
                    throw new PackException($"{file}: graph output '{o.Name}' is int8 (QuantizeLinear); end the model with a DequantizeLinear so the output is float");
                g.Outputs.Add(Binding(val, o.Name));
            }
            foreach (var op in g.Ops)
                foreach (int t in op.Outputs)
                    if (g.Tensors[t].Name.Length == 0) g.Tensors[t].Name = "t" + t;
        }

        FBinding Binding(Val v, string name)
        {
            var b = new FBinding { Tensor = v.Tensor, SourceName = name, SourceShape = v.OnnxShape };
            if (v.Layout == Layout.ChannelsLast && !TrivialLayout(v.OnnxShape))
                b.Permutation = v.OnnxShape.Length == 4 ? new[] { 0, 2, 3, 1 } : new[] { 0, 2, 1 };
            return b;
        }

        /// <summary>Channels-first and channels-last orders hold the same bytes when C = 1 or the map is 1 element.</summary>
        static bool TrivialLayout(int[] s) => s.Length < 3 || s[1] == 1 || s.Skip(2).All(d => d == 1);

        void AddInput(OnnxValueInfo input)
        {
            if (input.ElemType != OnnxDataType.Float)
                throw new PackException($"{file}: graph input '{input.Name}' has element type {input.ElemType}; Mote's float models take float32 inputs");
            if (!input.HasShape || input.Dims.Length == 0)
                throw new PackException($"{file}: graph input '{input.Name}' has no shape; export the model with a static input shape");
            var dims = new int[input.Dims.Length];
            for (int k = 0; k < dims.Length; k++)
            {
                long d = input.Dims[k];
                if (d <= 0 && k == 0) d = 1; // a symbolic batch dimension: Mote runs batch 1
                if (d <= 0 || d > int.MaxValue)
                    throw new PackException($"{file}: graph input '{input.Name}' dimension {k} is {(input.DimParams.Length > k && !string.IsNullOrEmpty(input.DimParams[k]) ? "'" + input.DimParams[k] + "'" : d.ToString())}; only the batch dimension may be symbolic");
                dims[k] = (int)d;
            }
            bool spatial = dims.Length == 4 || (dims.Length == 3 && FirstConsumerIsSpatial(input.Name));
            var val = NewVal(input.Name, dims, spatial ? Layout.ChannelsLast : Layout.Plain);
            g.Inputs.Add(Binding(val, input.Name));
        }

        bool FirstConsumerIsSpatial(string name)
        {
            var n = model.Graph.Nodes.FirstOrDefault(x => x.Inputs.Contains(name));
            return n != null && n.OpType is "Conv" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "GlobalMaxPool" or "BatchNormalization" or "QuantizeLinear";
        }

        static int MinInputs(string op) => op switch
        {
            "Constant" => 0,
            "BatchNormalization" => 5,
            "Conv" or "Gemm" or "MatMul" or "Add" or "Sub" or "Mul" or "Div" or "Gather" or "Reshape" or "QuantizeLinear" or "DequantizeLinear" => 2,
            _ => 1,
        };

        static int[] GraphShape(int[] onnx, Layout l)
        {
            if (l == Layout.Plain) return onnx;
            return onnx.Length == 4 ? new[] { onnx[0], onnx[2], onnx[3], onnx[1] } : new[] { onnx[0], 1, onnx[2], onnx[1] };
        }

        Val NewVal(string name, int[] onnxShape, Layout layout)
        {
            if (layout == Layout.ChannelsLast && onnxShape.Length is not (3 or 4))
                throw new PackException($"{file}: value '{name}' has rank {onnxShape.Length}; channels-first maps must have rank 3 or 4");
            var t = g.AddTensor(name, GraphShape(onnxShape, layout));
            var v = new Val { Tensor = t.Index, OnnxShape = onnxShape, Layout = layout };
            vals[name] = v;
            return v;
        }

        Const FromTensor(OnnxTensor t, string what)
        {
            if (t.Dims.Any(d => d < 0 || d > int.MaxValue))
                throw new PackException($"{file}: {what} has dimensions [{string.Join(",", t.Dims)}] outside what Mote supports");
            var dims = t.Dims.Select(d => (int)d).ToArray();
            var c = new Const { Dims = dims };
            switch (t.DataType)
            {
                case OnnxDataType.Float:
                case OnnxDataType.Double:
                case OnnxDataType.Float16:
                    c.Data = t.ToFloats();
                    break;
                case OnnxDataType.Int64:
                case OnnxDataType.Int32:
                case OnnxDataType.Int8:
                case OnnxDataType.UInt8:
                case OnnxDataType.Int16:
                case OnnxDataType.Bool:
                    c.IsInteger = true;
                    c.Ints = t.DataType == OnnxDataType.Int64 ? t.ToInt64s() : t.ToFloats().Select(f => (long)f).ToArray();
                    c.Data = c.Ints.Select(x => (float)x).ToArray();
                    break;
                default:
                    throw new PackException($"{file}: {what} has element type {t.DataType}, which Mote cannot use");
            }
            return c;
        }

        // ------------------------------------------------------------------ helpers

        Const C(OnnxNode n, int k, string role)
        {
            if (k >= n.Inputs.Length || n.Inputs[k].Length == 0) return null;
            if (consts.TryGetValue(n.Inputs[k], out var c)) return c;
            throw Error(n, $"{role} '{n.Inputs[k]}' must be a constant (an initializer), not computed at runtime");
        }

        Val V(OnnxNode n, int k)
        {
            if (k >= n.Inputs.Length || n.Inputs[k].Length == 0) throw Error(n, $"input {k} is missing");
            if (!vals.TryGetValue(n.Inputs[k], out var v)) throw Error(n, $"input {k} '{n.Inputs[k]}' must be an activation here");
            if (v.QuantizedBy != null && n.OpType != "DequantizeLinear")
                throw Error(n, $"reads int8 value '{n.Inputs[k]}' (a QuantizeLinear output); only DequantizeLinear may consume it");
            return v;
        }

        bool IsConst(OnnxNode n, int k) => k < n.Inputs.Length && consts.ContainsKey(n.Inputs[k]);

        string Out(OnnxNode n, int k = 0)
        {
            if (k >= n.Outputs.Length || n.Outputs[k].Length == 0) throw Error(n, $"output {k} is missing");
            return n.Outputs[k];
        }

        FOp AddOp(OnnxNode n, FloatOpKind kind, int[] inputs, Val output)
        {
            var op = new FOp { Kind = kind, Inputs = inputs, Outputs = new[] { output.Tensor }, Source = n.Describe };
            g.Ops.Add(op);
            return op;
        }

        int ConstTensor(string name, int[] shape, float[] data) => g.AddTensor(name, shape, data).Index;

        static float[] Transpose(float[] data, int[] shape, int[] perm) => FloatGraph.Permute(data, shape, perm);

        // ------------------------------------------------------------------ lowering

        void Lower(OnnxNode n)
        {
            bool allConst = n.Inputs.Where(i => i.Length > 0).All(consts.ContainsKey) && n.OpType != "Constant";
            switch (n.OpType)
            {
                case "Constant": LowerConstant(n); return;
                case "Identity":
                case "Dropout":
                    Alias(n, n.Inputs[0], Out(n));
                    return;
                case "Shape":
                {
                    var v = vals.TryGetValue(n.Inputs[0], out var sv) ? sv.OnnxShape : consts[n.Inputs[0]].Dims;
                    SetConst(Out(n), v.Select(d => (long)d).ToArray(), new[] { v.Length });
                    return;
                }
            }
            if (allConst && n.OpType is "Gather" or "Unsqueeze" or "Squeeze" or "Concat" or "Cast" or "Reshape" or "Flatten"
                or "Transpose" or "Add" or "Sub" or "Mul" or "Div" or "QuantizeLinear" or "DequantizeLinear")
            {
                FoldConstant(n);
                return;
            }
            switch (n.OpType)
            {
                case "Conv": LowerConv(n); break;
                case "Gemm": LowerGemm(n); break;
                case "MatMul": LowerMatMul(n); break;
                case "BatchNormalization": LowerBatchNorm(n); break;
                case "Relu": LowerActivation(n, FusedActivation.Relu, FloatOpKind.Relu); break;
                case "Clip": LowerClip(n); break;
                case "LeakyRelu": Unary(n, FloatOpKind.LeakyRelu).Alpha = n.GetFloat("alpha", 0.01f); break;
                case "Sigmoid": Unary(n, FloatOpKind.Logistic); break;
                case "Tanh": Unary(n, FloatOpKind.Tanh); break;
                case "Add": case "Sub": case "Mul": case "Div": LowerBinary(n); break;
                case "MaxPool": case "AveragePool": LowerPool(n); break;
                case "GlobalAveragePool": case "GlobalMaxPool": LowerGlobalPool(n); break;
                case "Flatten": case "Reshape": case "Squeeze": case "Unsqueeze": LowerReshape(n); break;
                case "Concat": LowerConcat(n); break;
                case "Softmax": LowerSoftmax(n); break;
                case "Pad": LowerPad(n); break;
                case "Transpose": LowerTranspose(n); break;
                case "QuantizeLinear": LowerQuantize(n); break;
                case "DequantizeLinear": LowerDequantize(n); break;
                case "Cast": throw Error(n, "Cast of an activation is not supported (Mote's float graphs are float32 throughout)");
                case "Gather": throw Error(n, "Gather of an activation is not supported (only of constants, e.g. shape arithmetic)");
                default: throw Error(n, "not supported");
            }
        }

        void Alias(OnnxNode n, string from, string to)
        {
            if (consts.TryGetValue(from, out var c)) consts[to] = c;
            else if (vals.TryGetValue(from, out var v)) vals[to] = v;
            else throw Error(n, $"input '{from}' is undefined");
        }

        void SetConst(string name, long[] ints, int[] dims) =>
            consts[name] = new Const { Dims = dims, IsInteger = true, Ints = ints, Data = ints.Select(x => (float)x).ToArray() };

        void LowerConstant(OnnxNode n)
        {
            var t = n.GetTensor("value");
            if (t != null) { consts[Out(n)] = FromTensor(t, n.Describe + " value"); return; }
            if (n.Has("value_float")) { consts[Out(n)] = new Const { Dims = Array.Empty<int>(), Data = new[] { n.GetFloat("value_float", 0) } }; return; }
            if (n.Has("value_floats")) { var f = n.GetFloats("value_floats", null); consts[Out(n)] = new Const { Dims = new[] { f.Length }, Data = f }; return; }
            if (n.Has("value_int")) { SetConst(Out(n), new[] { n.GetInt("value_int", 0) }, Array.Empty<int>()); return; }
            if (n.Has("value_ints")) { var i = n.GetInts("value_ints", null); SetConst(Out(n), i, new[] { i.Length }); return; }
            throw Error(n, "has no value attribute Mote can read (value, value_float(s), value_int(s))");
        }

        /// <summary>Evaluates a node whose inputs are all constants (shape arithmetic, weight preprocessing).</summary>
        void FoldConstant(OnnxNode n)
        {
            var a = consts[n.Inputs[0]];
            switch (n.OpType)
            {
                case "Cast":
                {
                    long to = n.GetInt("to", 1);
                    bool integer = to is 2 or 3 or 4 or 5 or 6 or 7 or 9 or 12 or 13;
                    consts[Out(n)] = integer
                        ? new Const { Dims = a.Dims, IsInteger = true, Ints = a.Data.Select(x => (long)x).ToArray(), Data = a.Data.Select(x => (float)Math.Truncate(x)).ToArray() }
                        : new Const { Dims = a.Dims, Data = a.Data };
                    return;
                }
                case "Gather":
                {
                    var idx = consts[n.Inputs[1]];
                    int axis = (int)n.GetInt("axis", 0);
                    if (axis != 0 || a.Dims.Length != 1) throw Error(n, "constant Gather is supported on 1-D data along axis 0 only");
                    var picked = idx.Data.Select(i => { int k = (int)i; if (k < 0) k += a.Count; if (k < 0 || k >= a.Count) throw Error(n, $"index {i} outside 0..{a.Count - 1}"); return k; }).ToArray();
                    consts[Out(n)] = new Const { Dims = idx.Dims, IsInteger = a.IsInteger, Ints = a.Ints == null ? null : picked.Select(k => a.Ints[k]).ToArray(), Data = picked.Select(k => a.Data[k]).ToArray() };
                    return;
                }
                case "Concat":
                {
                    var parts = n.Inputs.Select(i => consts[i]).ToList();
                    if (parts.Any(p => p.Dims.Length > 1)) throw Error(n, "constant Concat is supported on 1-D data only");
                    bool integer = parts.All(p => p.IsInteger);
                    consts[Out(n)] = new Const
                    {
                        Dims = new[] { parts.Sum(p => p.Count) },
                        IsInteger = integer,
                        Ints = integer ? parts.SelectMany(p => p.Ints).ToArray() : null,
                        Data = parts.SelectMany(p => p.Data).ToArray(),
                    };
                    return;
                }
                case "Unsqueeze": case "Squeeze": case "Reshape": case "Flatten":
                    consts[Out(n)] = new Const { Dims = ReshapeTarget(n, a.Dims), IsInteger = a.IsInteger, Ints = a.Ints, Data = a.Data, Quant = a.Quant };
                    return;
                case "Transpose":
                {
                    var perm = n.GetInts("perm", Enumerable.Range(0, a.Dims.Length).Reverse().Select(x => (long)x).ToArray()).Select(x => (int)x).ToArray();
                    var data = Transpose(a.Data, a.Dims, perm);
                    consts[Out(n)] = new Const { Dims = perm.Select(p => a.Dims[p]).ToArray(), Data = data };
                    return;
                }
                case "Add": case "Sub": case "Mul": case "Div":
                {
                    var b = consts[n.Inputs[1]];
                    var shape = BroadcastShape(n, a.Dims, b.Dims);
                    var outData = new float[shape.Aggregate(1, (x, y) => x * y)];
                    var sa = FloatInterpreter.BroadcastStrides(a.Dims, shape.Length);
                    var sb = FloatInterpreter.BroadcastStrides(b.Dims, shape.Length);
                    var idx = new int[shape.Length];
                    for (int i = 0; i < outData.Length; i++)
                    {
                        int ia = 0, ib = 0;
                        for (int k = 0; k < shape.Length; k++) { ia += idx[k] * sa[k]; ib += idx[k] * sb[k]; }
                        float x = a.Data[ia], y = b.Data[ib];
                        outData[i] = n.OpType switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, _ => a.IsInteger && b.IsInteger ? (float)Math.Floor(x / y) : x / y };
                        for (int k = shape.Length - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
                    }
                    bool integer = a.IsInteger && b.IsInteger;
                    consts[Out(n)] = new Const { Dims = shape, Data = outData, IsInteger = integer, Ints = integer ? outData.Select(x => (long)x).ToArray() : null };
                    return;
                }
                case "QuantizeLinear":
                {
                    var (scales, zp, axis) = QdqParams(n, a.Dims);
                    var q = new long[a.Count];
                    int inner = Inner(a.Dims, axis);
                    bool unsigned = ZeroPointIsUnsigned(n);
                    for (int i = 0; i < q.Length; i++)
                    {
                        float s = scales[scales.Length == 1 ? 0 : i / inner % scales.Length];
                        q[i] = (long)Math.Clamp(Math.Round(a.Data[i] / s, MidpointRounding.ToEven) + zp, unsigned ? 0 : -128, unsigned ? 255 : 127);
                    }
                    consts[Out(n)] = new Const { Dims = a.Dims, IsInteger = true, Ints = q, Data = q.Select(x => (float)x).ToArray() };
                    return;
                }
                case "DequantizeLinear":
                {
                    var (scales, zp, axis) = QdqParams(n, a.Dims);
                    int inner = Inner(a.Dims, axis);
                    var data = new float[a.Count];
                    for (int i = 0; i < data.Length; i++)
                        data[i] = (a.Data[i] - zp) * scales[scales.Length == 1 ? 0 : i / inner % scales.Length];
                    // uint8 values with zero point z are the int8 values v − 128 with zero point z − 128.
                    int shift = ZeroPointIsUnsigned(n) ? 128 : 0;
                    consts[Out(n)] = new Const
                    {
                        Dims = a.Dims,
                        Data = data,
                        Quant = new FixedQuant { Scales = scales, ZeroPoint = zp - shift, Axis = axis, Values = a.Data.Select(x => (int)x - shift).ToArray(), Source = n.Describe },
                    };
                    return;
                }
            }
            throw Error(n, "cannot be folded");
        }

        static int Inner(int[] dims, int axis)
        {
            int inner = 1;
            for (int k = axis + 1; k < dims.Length; k++) inner *= dims[k];
            return inner;
        }

        bool ZeroPointIsUnsigned(OnnxNode n)
        {
            if (n.Inputs.Length > 2 && n.Inputs[2].Length > 0 && model.Graph.Initializers.TryGetValue(n.Inputs[2], out var t))
                return t.DataType == OnnxDataType.UInt8;
            return n.OpType == "QuantizeLinear" && !(n.Inputs.Length > 2 && n.Inputs[2].Length > 0); // QuantizeLinear without a zero point is uint8
        }

        (float[] scales, int zp, int axis) QdqParams(OnnxNode n, int[] dims)
        {
            var s = C(n, 1, "scale") ?? throw Error(n, "scale is missing");
            var z = C(n, 2, "zero point");
            int axis = (int)n.GetInt("axis", 1);
            if (axis < 0) axis += Math.Max(dims.Length, 1);
            if (s.Count > 1 && (axis < 0 || axis >= dims.Length || dims[axis] != s.Count))
                throw Error(n, $"{s.Count} scales do not match axis {axis} of shape [{string.Join(",", dims)}]");
            if (s.Data.Any(x => !(x > 0) || float.IsInfinity(x))) throw Error(n, "scales must be finite and positive");
            int zp = 0;
            if (z != null)
            {
                if (z.Data.Distinct().Count() > 1) throw Error(n, "per-channel zero points that differ are not supported (int8 weights must be symmetric)");
                zp = (int)z.Data[0];
            }
            return (s.Data, zp, axis);
        }

        static int[] BroadcastShape(OnnxNode n, int[] a, int[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var r = new int[rank];
            for (int k = 0; k < rank; k++)
            {
                int da = k - (rank - a.Length) >= 0 ? a[k - (rank - a.Length)] : 1;
                int db = k - (rank - b.Length) >= 0 ? b[k - (rank - b.Length)] : 1;
                if (da != db && da != 1 && db != 1)
                    throw new PackException($"{n.Describe}: shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
                r[k] = Math.Max(da, db);
            }
            return r;
        }

        /// <summary>Spatial attributes of Conv/pooling for 1-D or 2-D: kernel, strides, dilations and explicit pads (ONNX output size rule).</summary>
        (int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr, int oh, int ow) Spatial(OnnxNode n, Val x, int kh, int kw)
        {
            bool oneD = x.OnnxShape.Length == 3;
            int ih = oneD ? 1 : x.OnnxShape[2], iw = oneD ? x.OnnxShape[2] : x.OnnxShape[3];
            long[] Get(string a, long dflt) { var v = n.GetInts(a, Enumerable.Repeat(dflt, oneD ? 1 : 2).ToArray()); if (v.Length != (oneD ? 1 : 2)) throw Error(n, $"attribute {a} has {v.Length} values; expected {(oneD ? 1 : 2)}"); return v; }
            var s = Get("strides", 1);
            var d = Get("dilations", 1);
            int sh = oneD ? 1 : (int)s[0], sw = (int)s[^1], dh = oneD ? 1 : (int)d[0], dw = (int)d[^1];
            if (sh < 1 || sw < 1 || dh < 1 || dw < 1) throw Error(n, "strides and dilations must be >= 1");
            int effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
            string auto = n.GetString("auto_pad", "NOTSET");
            int pt = 0, pl = 0, pb = 0, pr = 0;
            if (auto is "SAME_UPPER" or "SAME_LOWER")
            {
                int oh2 = (ih + sh - 1) / sh, ow2 = (iw + sw - 1) / sw;
                int th = Math.Max((oh2 - 1) * sh + effH - ih, 0), tw = Math.Max((ow2 - 1) * sw + effW - iw, 0);
                bool upper = auto == "SAME_UPPER";
                pt = upper ? th / 2 : th - th / 2; pb = th - pt;
                pl = upper ? tw / 2 : tw - tw / 2; pr = tw - pl;
            }
            else if (auto == "NOTSET")
            {
                var p = n.GetInts("pads", new long[oneD ? 2 : 4]);
                if (p.Length != (oneD ? 2 : 4)) throw Error(n, $"attribute pads has {p.Length} values; expected {(oneD ? 2 : 4)}");
                if (p.Any(v => v < 0)) throw Error(n, "negative pads are not supported");
                if (oneD) { pl = (int)p[0]; pr = (int)p[1]; }
                else { pt = (int)p[0]; pl = (int)p[1]; pb = (int)p[2]; pr = (int)p[3]; }
            }
            else if (auto != "VALID") throw Error(n, $"auto_pad '{auto}' is not an ONNX value");
            bool ceil = n.GetInt("ceil_mode", 0) != 0;
            int Out(int i, int p0, int p1, int eff, int st)
            {
                int span = i + p0 + p1 - eff;
                if (span < 0) throw Error(n, $"the window ({eff}) is larger than the padded input ({i + p0 + p1})");
                return (ceil ? (span + st - 1) / st : span / st) + 1;
            }
            int oh = Out(ih, pt, pb, effH, sh), ow = Out(iw, pl, pr, effW, sw);
            if (ceil && (oh != (ih + pt + pb - effH) / sh + 1 || ow != (iw + pl + pr - effW) / sw + 1))
                throw Error(n, "ceil_mode=1 changes the output size here; Mote supports floor rounding only (export with ceil_mode=0 or adjust the padding)");
            return (kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow);
        }

        int[] OnnxSpatialShape(Val x, int channels, int oh, int ow) =>
            x.OnnxShape.Length == 3 ? new[] { x.OnnxShape[0], channels, ow } : new[] { x.OnnxShape[0], channels, oh, ow };

        void LowerConv(OnnxNode n)
        {
            var x = RequireMap(n, V(n, 0));
            var w = C(n, 1, "weights") ?? throw Error(n, "weights are missing");
            var b = C(n, 2, "bias");
            bool oneD = x.OnnxShape.Length == 3;
            if (w.Dims.Length != x.OnnxShape.Length) throw Error(n, $"weights [{string.Join(",", w.Dims)}] must have rank {x.OnnxShape.Length}");
            int outC = w.Dims[0], inPerGroup = w.Dims[1], kh = oneD ? 1 : w.Dims[2], kw = w.Dims[^1];
            int inC = x.OnnxShape[1];
            int group = (int)n.GetInt("group", 1);
            var ks = n.GetInts("kernel_shape", null);
            if (ks != null && (ks[^1] != kw || (!oneD && ks[0] != kh))) throw Error(n, "kernel_shape does not match the weights");
            var sp = Spatial(n, x, kh, kw);
            if (b != null && b.Count != outC) throw Error(n, $"bias has {b.Count} values; expected {outC}");
            float[] bias = b?.Data ?? new float[outC];
            var wd = w.Data;
            var wShape4 = new[] { outC, inPerGroup, kh, kw };
            FloatOpKind kind;
            float[] weights;
            int[] wShape;
            FixedQuant wq = w.Quant;
            int mult = 1;
            if (group == 1)
            {
                if (inPerGroup != inC) throw Error(n, $"weights expect {inPerGroup} input channels; the input has {inC}");
                kind = FloatOpKind.Conv2D;
                weights = Transpose(wd, wShape4, new[] { 0, 2, 3, 1 });
                wShape = new[] { outC, kh, kw, inC };
                if (wq != null) wq = Requantized(wq, wShape4, new[] { 0, 2, 3, 1 }, 0);
            }
            else if (group == inC && inPerGroup == 1 && outC % inC == 0)
            {
                kind = FloatOpKind.DepthwiseConv2D;
                mult = outC / inC;
                weights = Transpose(wd, wShape4, new[] { 1, 2, 3, 0 });
                wShape = new[] { 1, kh, kw, outC };
                if (wq != null) wq = Requantized(wq, wShape4, new[] { 1, 2, 3, 0 }, 3);
            }
            else throw Error(n, $"grouped convolution with group {group} (input channels {inC}) is not supported; only group 1 and depthwise (group = channels) are");
            var y = NewVal(Out(n), OnnxSpatialShape(x, outC, sp.oh, sp.ow), Layout.ChannelsLast);
            var wt = g.AddTensor(n.Inputs[1], wShape, weights);
            wt.Quant = wq;
            int bt = ConstTensor(n.Inputs.Length > 2 && n.Inputs[2].Length > 0 ? n.Inputs[2] : Out(n) + "/bias", new[] { outC }, (float[])bias.Clone());
            var op = AddOp(n, kind, new[] { x.Tensor, wt.Index, bt }, y);
            (op.StrideH, op.StrideW, op.DilationH, op.DilationW) = (sp.sh, sp.sw, sp.dh, sp.dw);
            (op.PadTop, op.PadLeft, op.PadBottom, op.PadRight) = (sp.pt, sp.pl, sp.pb, sp.pr);
            op.DepthMultiplier = mult;
        }

        /// <summary>Carries QDQ integer weights through a layout permutation (the channel axis moves to <paramref name="newAxis"/>).</summary>
        static FixedQuant Requantized(FixedQuant q, int[] shape, int[] perm, int newAxis)
        {
            var values = Transpose(q.Values.Select(v => (float)v).ToArray(), shape, perm).Select(v => (int)v).ToArray();
            return new FixedQuant { Scales = q.Scales, ZeroPoint = q.ZeroPoint, Axis = q.Scales.Length == 1 ? 0 : newAxis, Values = values, Source = q.Source };
        }

        Val RequireMap(OnnxNode n, Val v)
        {
            if (v.Layout != Layout.ChannelsLast)
                throw Error(n, $"input '{n.Inputs[0]}' with shape [{string.Join(",", v.OnnxShape)}] is not a channels-first feature map (N,C,H,W or N,C,W)");
            return v;
        }

        void LowerGemm(OnnxNode n)
        {
            var a = V(n, 0);
            var b = C(n, 1, "B (weights)") ?? throw Error(n, "B is missing");
            var c = C(n, 2, "C (bias)");
            if (n.GetInt("transA", 0) != 0) throw Error(n, "transA=1 is not supported");
            if (b.Dims.Length != 2) throw Error(n, "B must be 2-D");
            float alpha = n.GetFloat("alpha", 1f), beta = n.GetFloat("beta", 1f);
            bool transB = n.GetInt("transB", 0) != 0;
            float[] w = transB ? (float[])b.Data.Clone() : Transpose(b.Data, b.Dims, new[] { 1, 0 });
            int outDepth = transB ? b.Dims[0] : b.Dims[1], depth = transB ? b.Dims[1] : b.Dims[0];
            FixedQuant wq = b.Quant;
            if (wq != null && !transB) wq = Requantized(wq, b.Dims, new[] { 1, 0 }, 0);
            if (wq != null && transB && wq.Scales.Length > 1 && wq.Axis != 0) throw Error(n, "B is quantized per input feature; per-channel scales must be per output");
            if (alpha != 1f)
            {
                if (wq != null) throw Error(n, "alpha != 1 on quantized weights is not supported");
                for (int i = 0; i < w.Length; i++) w[i] *= alpha;
            }
            var bias = new float[outDepth];
            if (c != null)
            {
                if (c.Count != outDepth && c.Count != 1) throw Error(n, $"C has {c.Count} values; expected {outDepth} (one per output)");
                for (int i = 0; i < outDepth; i++) bias[i] = beta * c.Data[c.Count == 1 ? 0 : i];
            }
            int rows = a.OnnxShape.Length == 2 ? a.OnnxShape[0] : throw Error(n, $"input A has shape [{string.Join(",", a.OnnxShape)}]; Gemm needs a 2-D input (add a Flatten)");
            if (a.OnnxShape[1] != depth) throw Error(n, $"input A has {a.OnnxShape[1]} features; B expects {depth}");
            FullyConnected(n, a, w, outDepth, depth, bias, wq, new[] { rows, outDepth });
        }

        void LowerMatMul(OnnxNode n)
        {
            var a = V(n, 0);
            var b = C(n, 1, "B (weights)") ?? throw Error(n, "B is missing");
            if (b.Dims.Length != 2) throw Error(n, "a constant 2-D B is required (batched MatMul is not supported)");
            if (a.Layout != Layout.Plain) throw Error(n, "MatMul over a channels-first map's last axis is not supported (flatten or pool first)");
            int depth = b.Dims[0], outDepth = b.Dims[1];
            if (a.OnnxShape[^1] != depth) throw Error(n, $"input has {a.OnnxShape[^1]} features; B expects {depth}");
            var w = Transpose(b.Data, b.Dims, new[] { 1, 0 });
            var wq = b.Quant == null ? null : Requantized(b.Quant, b.Dims, new[] { 1, 0 }, 0);
            var shape = a.OnnxShape.Take(a.OnnxShape.Length - 1).Append(outDepth).ToArray();
            FullyConnected(n, a, w, outDepth, depth, new float[outDepth], wq, shape);
        }

        void FullyConnected(OnnxNode n, Val a, float[] w, int outDepth, int depth, float[] bias, FixedQuant wq, int[] outShape)
        {
            if (a.FlattenedFrom is var (c, h, wd) && (c * h * wd == depth))
            {
                // The input is stored H, W, C but ONNX flattened C, H, W: permute the weight columns instead of the data.
                var permuted = new float[w.Length];
                var qv = wq?.Values == null ? null : new int[w.Length];
                for (int o = 0; o < outDepth; o++)
                    for (int ci = 0; ci < c; ci++)
                        for (int y = 0; y < h; y++)
                            for (int x = 0; x < wd; x++)
                            {
                                int src = o * depth + (ci * h + y) * wd + x, dst = o * depth + (y * wd + x) * c + ci;
                                permuted[dst] = w[src];
                                if (qv != null) qv[dst] = wq.Values[src];
                            }
                w = permuted;
                if (qv != null) wq = new FixedQuant { Scales = wq.Scales, ZeroPoint = wq.ZeroPoint, Axis = wq.Axis, Values = qv, Source = wq.Source };
            }
            var y2 = NewVal(Out(n), outShape, Layout.Plain);
            var wt = g.AddTensor(n.Inputs[1], new[] { outDepth, depth }, w);
            wt.Quant = wq;
            int bt = ConstTensor(n.Inputs.Length > 2 && n.Inputs[2].Length > 0 ? n.Inputs[2] : Out(n) + "/bias", new[] { outDepth }, bias);
            AddOp(n, FloatOpKind.FullyConnected, new[] { a.Tensor, wt.Index, bt }, y2);
        }

        /// <summary>The single producer op of <paramref name="v"/> when it may be modified in place (fusion, folding).</summary>
        FOp FusableProducer(Val v, string valueName, params FloatOpKind[] kinds)
        {
            if (uses.GetValueOrDefault(valueName) != 1 || graphOutputs.Contains(valueName)) return null;
            var p = g.Producer(v.Tensor);
            if (p == null || Array.IndexOf(kinds, p.Kind) < 0 || p.Activation != FusedActivation.None) return null;
            if (g.Tensors[v.Tensor].Quant != null) return null; // a QDQ boundary between them: keep both
            return p;
        }

        void LowerBatchNorm(OnnxNode n)
        {
            var x = V(n, 0);
            var scale = C(n, 1, "scale"); var bias = C(n, 2, "B"); var mean = C(n, 3, "mean"); var variance = C(n, 4, "var");
            if (scale == null || bias == null || mean == null || variance == null) throw Error(n, "scale, B, mean and var are required");
            if (n.Outputs.Length > 1 && n.Outputs.Skip(1).Any(o => o.Length > 0)) throw Error(n, "training-mode outputs (running mean/var) are not supported");
            float eps = n.GetFloat("epsilon", 1e-5f);
            int channels = x.OnnxShape.Length >= 2 ? x.OnnxShape[1] : 0;
            if (new[] { scale, bias, mean, variance }.Any(c => c.Count != channels))
                throw Error(n, $"scale/B/mean/var must have {channels} values (one per channel)");
            var s = new float[channels];
            var shift = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                s[c] = scale.Data[c] / MathF.Sqrt(variance.Data[c] + eps);
                shift[c] = bias.Data[c] - mean.Data[c] * s[c];
            }
            var producer = FusableProducer(x, n.Inputs[0], FloatOpKind.Conv2D, FloatOpKind.DepthwiseConv2D, FloatOpKind.FullyConnected);
            if (producer != null && g.Tensors[producer.Inputs[1]].Quant == null)
            {
                // Fold: w'[c] = w[c]·s[c], b'[c] = b[c]·s[c] + shift[c]. The output channel is dimension 0 (OHWI, FC) or 3 (depthwise).
                var wt = g.Tensors[producer.Inputs[1]];
                int outC = producer.Kind == FloatOpKind.DepthwiseConv2D ? wt.Shape[3] : wt.Shape[0];
                int per = wt.ElementCount / outC;
                var w = (float[])wt.Data.Clone();
                for (int i = 0; i < w.Length; i++)
                    w[i] *= s[producer.Kind == FloatOpKind.DepthwiseConv2D ? i % outC : i / per];
                wt.Data = w;
                var bt = g.Tensors[producer.Inputs[2]];
                var b = (float[])bt.Data.Clone();
                for (int c = 0; c < outC; c++) b[c] = b[c] * s[c] + shift[c];
                bt.Data = b;
                producer.Source += " + " + n.Describe;
                vals[Out(n)] = x;
                return;
            }
            RequireMap(n, x);
            // Standalone: a 1x1 depthwise convolution with weights s and bias shift.
            var y = NewVal(Out(n), x.OnnxShape, Layout.ChannelsLast);
            int wIdx = ConstTensor(Out(n) + "/bn_scale", new[] { 1, 1, 1, channels }, s);
            int bIdx = ConstTensor(Out(n) + "/bn_shift", new[] { channels }, shift);
            AddOp(n, FloatOpKind.DepthwiseConv2D, new[] { x.Tensor, wIdx, bIdx }, y);
        }

        void LowerActivation(OnnxNode n, FusedActivation fused, FloatOpKind standalone)
        {
            var x = V(n, 0);
            var producer = FusableProducer(x, n.Inputs[0], FloatOpKind.Conv2D, FloatOpKind.DepthwiseConv2D, FloatOpKind.FullyConnected,
                FloatOpKind.Add, FloatOpKind.Mul, FloatOpKind.MaxPool2D, FloatOpKind.AveragePool2D);
            if (producer != null)
            {
                producer.Activation = fused;
                producer.Source += " + " + n.Describe;
                g.Tensors[x.Tensor].Name = Out(n);
                vals[Out(n)] = x;
                return;
            }
            Unary(n, standalone);
        }

        FOp Unary(OnnxNode n, FloatOpKind kind)
        {
            var x = V(n, 0);
            var y = NewVal(Out(n), x.OnnxShape, x.Layout);
            y.FlattenedFrom = x.FlattenedFrom;
            return AddOp(n, kind, new[] { x.Tensor }, y);
        }

        void LowerClip(OnnxNode n)
        {
            float lo, hi;
            if (opset < 11) { lo = n.GetFloat("min", float.NegativeInfinity); hi = n.GetFloat("max", float.PositiveInfinity); }
            else
            {
                lo = C(n, 1, "min")?.Data[0] ?? float.NegativeInfinity;
                hi = C(n, 2, "max")?.Data[0] ?? float.PositiveInfinity;
            }
            if (lo == 0 && hi == 6) LowerActivation(n, FusedActivation.Relu6, FloatOpKind.Relu6);
            else if (lo == 0 && float.IsPositiveInfinity(hi)) LowerActivation(n, FusedActivation.Relu, FloatOpKind.Relu);
            else if (lo == -1 && hi == 1 && FusableProducer(V(n, 0), n.Inputs[0], FloatOpKind.Conv2D, FloatOpKind.DepthwiseConv2D, FloatOpKind.FullyConnected, FloatOpKind.Add, FloatOpKind.Mul) != null)
                LowerActivation(n, FusedActivation.ReluN1To1, FloatOpKind.Relu);
            else throw Error(n, $"Clip to [{lo}, {hi}] is not supported; Mote supports [0, 6] (ReLU6), [0, inf) (ReLU) and [-1, 1] fused into the producer");
        }

        void LowerBinary(OnnxNode n)
        {
            bool c0 = IsConst(n, 0), c1 = IsConst(n, 1);
            if (n.OpType is "Sub" or "Div" && c0) throw Error(n, $"{n.OpType} with a constant first operand is not supported");
            Val a = c0 ? null : V(n, 0), b = c1 ? null : V(n, 1);
            var layoutVal = a ?? b;
            if (a != null && b != null && (a.Layout != b.Layout || (a.FlattenedFrom != null) != (b.FlattenedFrom != null)))
                throw Error(n, "operands are stored in different layouts (a channels-first map and a plain tensor)");
            var shapeA = a?.OnnxShape ?? consts[n.Inputs[0]].Dims;
            var shapeB = b?.OnnxShape ?? consts[n.Inputs[1]].Dims;
            var outShape = BroadcastShape(n, shapeA, shapeB);
            int OperandTensor(int k, Val v)
            {
                if (v != null) return v.Tensor;
                var c = consts[n.Inputs[k]];
                var data = (float[])c.Data.Clone();
                if (n.OpType == "Sub") for (int i = 0; i < data.Length; i++) data[i] = -data[i];
                if (n.OpType == "Div") for (int i = 0; i < data.Length; i++) data[i] = 1f / data[i];
                var dims = c.Dims;
                if (layoutVal.Layout == Layout.ChannelsLast)
                {
                    // Right-align to the map's rank, then move the channel axis last like the map.
                    int rank = layoutVal.OnnxShape.Length;
                    var full = Enumerable.Repeat(1, rank - dims.Length).Concat(dims).ToArray();
                    var perm = rank == 4 ? new[] { 0, 2, 3, 1 } : new[] { 0, 2, 1 };
                    data = Transpose(data, full, perm);
                    dims = GraphShape(full, Layout.ChannelsLast);
                }
                else if (layoutVal.FlattenedFrom != null && c.Count > 1)
                    throw Error(n, "a per-feature constant applied to a flattened channels-first map is not supported");
                var t = g.AddTensor(n.Inputs[k], dims, data);
                t.Quant = n.OpType is "Add" or "Mul" ? c.Quant : null;
                return t.Index;
            }
            int ia = OperandTensor(0, a), ib = OperandTensor(1, b);
            var y = NewVal(Out(n), outShape, layoutVal.Layout);
            y.FlattenedFrom = layoutVal.FlattenedFrom;
            AddOp(n, n.OpType is "Add" or "Sub" ? FloatOpKind.Add : FloatOpKind.Mul, new[] { ia, ib }, y);
        }

        void LowerPool(OnnxNode n)
        {
            var x = RequireMap(n, V(n, 0));
            var ks = n.GetInts("kernel_shape", null) ?? throw Error(n, "kernel_shape is required");
            bool oneD = x.OnnxShape.Length == 3;
            if (ks.Length != (oneD ? 1 : 2)) throw Error(n, $"kernel_shape has {ks.Length} values; expected {(oneD ? 1 : 2)}");
            if (n.GetInts("dilations", new long[] { 1 }).Any(d => d != 1)) throw Error(n, "dilated pooling is not supported");
            var sp = Spatial(n, x, oneD ? 1 : (int)ks[0], (int)ks[^1]);
            bool avg = n.OpType == "AveragePool";
            if (avg && n.GetInt("count_include_pad", 0) != 0 && (sp.pt | sp.pl | sp.pb | sp.pr) != 0)
                throw Error(n, "count_include_pad=1 with padding is not supported (TFLite averages over the valid elements only)");
            if (!avg && n.Outputs.Length > 1 && n.Outputs[1].Length > 0) throw Error(n, "the Indices output is not supported");
            var y = NewVal(Out(n), OnnxSpatialShape(x, x.OnnxShape[1], sp.oh, sp.ow), Layout.ChannelsLast);
            var op = AddOp(n, avg ? FloatOpKind.AveragePool2D : FloatOpKind.MaxPool2D, new[] { x.Tensor }, y);
            (op.FilterH, op.FilterW, op.StrideH, op.StrideW) = (sp.kh, sp.kw, sp.sh, sp.sw);
            (op.PadTop, op.PadLeft, op.PadBottom, op.PadRight) = (sp.pt, sp.pl, sp.pb, sp.pr);
        }

        void LowerGlobalPool(OnnxNode n)
        {
            var x = RequireMap(n, V(n, 0));
            var gs = g.Tensors[x.Tensor].Shape;
            var y = NewVal(Out(n), x.OnnxShape.Select((d, k) => k < 2 ? d : 1).ToArray(), Layout.ChannelsLast);
            var op = AddOp(n, n.OpType == "GlobalAveragePool" ? FloatOpKind.AveragePool2D : FloatOpKind.MaxPool2D, new[] { x.Tensor }, y);
            (op.FilterH, op.FilterW, op.StrideH, op.StrideW) = (gs[1], gs[2], 1, 1);
        }

        int[] ReshapeTarget(OnnxNode n, int[] inShape)
        {
            long total = inShape.Aggregate(1L, (a, d) => a * d);
            int rank = inShape.Length;
            int Axis(long a, int r) { long x = a < 0 ? a + r : a; if (x < 0 || x >= r) throw Error(n, $"axis {a} is out of range for rank {r}"); return (int)x; }
            switch (n.OpType)
            {
                case "Flatten":
                {
                    long axis = n.GetInt("axis", 1);
                    int ax = axis < 0 ? (int)axis + rank : (int)axis;
                    if (ax < 0 || ax > rank) throw Error(n, $"axis {axis} is out of range");
                    int outer = inShape.Take(ax).Aggregate(1, (a, d) => a * d);
                    return new[] { outer, (int)(total / Math.Max(outer, 1)) };
                }
                case "Reshape":
                {
                    var s = C(n, 1, "shape") ?? throw Error(n, "shape is missing");
                    bool allowZero = n.GetInt("allowzero", 0) != 0;
                    var target = s.Data.Select(v => (long)v).ToArray();
                    var r = new int[target.Length];
                    int infer = -1;
                    long known = 1;
                    for (int k = 0; k < target.Length; k++)
                    {
                        long v = target[k];
                        if (v == 0 && !allowZero) { if (k >= rank) throw Error(n, "a 0 in the target shape has no input dimension to copy"); v = inShape[k]; }
                        if (v == -1) { if (infer >= 0) throw Error(n, "more than one -1 in the target shape"); infer = k; continue; }
                        if (v < 0) throw Error(n, $"target dimension {v} is invalid");
                        r[k] = (int)v;
                        known *= v;
                    }
                    if (infer >= 0)
                    {
                        if (known == 0 || total % known != 0) throw Error(n, $"cannot infer -1: {total} elements into [{string.Join(",", target)}]");
                        r[infer] = (int)(total / known);
                    }
                    if (r.Aggregate(1L, (a, d) => a * d) != total) throw Error(n, $"cannot reshape [{string.Join(",", inShape)}] to [{string.Join(",", r)}]");
                    return r;
                }
                case "Squeeze":
                {
                    long[] axes = opset >= 13 ? (C(n, 1, "axes")?.Data.Select(v => (long)v).ToArray()) : n.GetInts("axes", null);
                    var drop = axes == null ? Enumerable.Range(0, rank).Where(k => inShape[k] == 1).ToHashSet() : axes.Select(a => Axis(a, rank)).ToHashSet();
                    foreach (int k in drop) if (inShape[k] != 1) throw Error(n, $"cannot squeeze axis {k} of size {inShape[k]}");
                    return inShape.Where((d, k) => !drop.Contains(k)).ToArray();
                }
                case "Unsqueeze":
                {
                    long[] axes = opset >= 13 ? (C(n, 1, "axes") ?? throw Error(n, "axes are missing")).Data.Select(v => (long)v).ToArray() : n.GetInts("axes", null) ?? throw Error(n, "axes are missing");
                    int outRank = rank + axes.Length;
                    var ins = axes.Select(a => Axis(a, outRank)).ToHashSet();
                    var r = new int[outRank];
                    int src = 0;
                    for (int k = 0; k < outRank; k++) r[k] = ins.Contains(k) ? 1 : inShape[src++];
                    return r;
                }
            }
            throw Error(n, "is not a reshape");
        }

        void LowerReshape(OnnxNode n)
        {
            var x = V(n, 0);
            var target = ReshapeTarget(n, x.OnnxShape);
            Val y;
            if (x.Layout == Layout.ChannelsLast && !TrivialLayout(x.OnnxShape))
            {
                bool flat = target.Length == 2 && target[0] == x.OnnxShape[0];
                if (!flat)
                    throw Error(n, $"reshaping channels-first map [{string.Join(",", x.OnnxShape)}] to [{string.Join(",", target)}] would need a transpose in Mote's channels-last layout; only flattening to [N, C*H*W] before a Gemm/MatMul is supported");
                y = NewVal(Out(n), target, Layout.Plain);
                var s = x.OnnxShape;
                y.FlattenedFrom = (s[1], s.Length == 4 ? s[2] : 1, s[^1]);
            }
            else if (x.FlattenedFrom != null)
            {
                if (!(target.Length == 2 && target.SequenceEqual(x.OnnxShape)))
                    throw Error(n, "reshaping a flattened channels-first map again is not supported");
                y = NewVal(Out(n), target, Layout.Plain);
                y.FlattenedFrom = x.FlattenedFrom;
            }
            else
            {
                // Same bytes in both layouts: the result is a map again when it has rank 3/4 (e.g. Unsqueeze before a Conv).
                bool map = target.Length is 3 or 4 && TrivialLayout(target) && (x.Layout == Layout.ChannelsLast || NextIsSpatial(Out(n)));
                y = NewVal(Out(n), target, map ? Layout.ChannelsLast : Layout.Plain);
            }
            AddOp(n, FloatOpKind.Reshape, new[] { x.Tensor }, y);
        }

        bool NextIsSpatial(string name) => FirstConsumerIsSpatial(name);

        void LowerConcat(OnnxNode n)
        {
            var ins = Enumerable.Range(0, n.Inputs.Length).Select(k => V(n, k)).ToList();
            var first = ins[0];
            if (ins.Any(v => v.Layout != first.Layout || v.OnnxShape.Length != first.OnnxShape.Length || v.FlattenedFrom != null))
                throw Error(n, "inputs must all be maps or all be plain tensors of the same rank (flattened maps cannot be concatenated)");
            int rank = first.OnnxShape.Length;
            long axis = n.GetInt("axis", 1);
            int ax = axis < 0 ? (int)axis + rank : (int)axis;
            if (ax < 0 || ax >= rank) throw Error(n, $"axis {axis} is out of range for rank {rank}");
            var outShape = (int[])first.OnnxShape.Clone();
            outShape[ax] = ins.Sum(v => v.OnnxShape[ax]);
            for (int k = 0; k < rank; k++)
                if (k != ax && ins.Any(v => v.OnnxShape[k] != first.OnnxShape[k])) throw Error(n, $"inputs differ in dimension {k}");
            int graphAxis = ax;
            if (first.Layout == Layout.ChannelsLast)
                graphAxis = rank == 4 ? new[] { 0, 3, 1, 2 }[ax] : new[] { 0, 3, 2 }[ax];
            var y = NewVal(Out(n), outShape, first.Layout);
            AddOp(n, FloatOpKind.Concatenation, ins.Select(v => v.Tensor).ToArray(), y).Axis = graphAxis;
        }

        void LowerSoftmax(OnnxNode n)
        {
            var x = V(n, 0);
            int rank = x.OnnxShape.Length;
            long axis = n.GetInt("axis", opset >= 13 ? -1 : 1);
            int ax = axis < 0 ? (int)axis + rank : (int)axis;
            bool last = x.Layout == Layout.Plain ? (ax == rank - 1 || (opset < 13 && x.OnnxShape.Skip(ax + 1).All(d => d == 1)))
                : ax == 1;
            if (!last || x.FlattenedFrom != null) throw Error(n, $"softmax over axis {axis} of shape [{string.Join(",", x.OnnxShape)}] is not over the innermost stored axis; Mote's SOFTMAX works on the last axis");
            Unary(n, FloatOpKind.Softmax).Beta = 1f;
        }

        void LowerPad(OnnxNode n)
        {
            var x = V(n, 0);
            string mode = n.GetString("mode", "constant");
            if (mode != "constant") throw Error(n, $"mode '{mode}' is not supported (constant only)");
            long[] pads = opset >= 11 ? (C(n, 1, "pads") ?? throw Error(n, "pads are missing")).Data.Select(v => (long)v).ToArray() : n.GetInts("pads", null);
            float value = opset >= 11 ? (C(n, 2, "constant_value")?.Data.FirstOrDefault() ?? 0f) : n.GetFloat("value", 0f);
            if (value != 0f) throw Error(n, $"constant value {value} is not supported (0 only: int8 pads with the zero point)");
            if (n.Inputs.Length > 3 && n.Inputs[3].Length > 0) throw Error(n, "the axes input is not supported");
            int rank = x.OnnxShape.Length;
            if (pads == null || pads.Length != 2 * rank) throw Error(n, $"pads must have {2 * rank} values");
            if (pads.Any(p => p < 0)) throw Error(n, "negative pads (cropping) are not supported");
            var outShape = x.OnnxShape.Select((d, k) => d + (int)pads[k] + (int)pads[k + rank]).ToArray();
            var y = NewVal(Out(n), outShape, x.Layout);
            int gRank = g.Tensors[y.Tensor].Shape.Length;
            var graphPads = new int[2 * gRank];
            for (int k = 0; k < rank; k++)
            {
                int gk = x.Layout == Layout.Plain ? k : rank == 4 ? new[] { 0, 3, 1, 2 }[k] : new[] { 0, 3, 2 }[k];
                graphPads[2 * gk] = (int)pads[k];
                graphPads[2 * gk + 1] = (int)pads[k + rank];
            }
            if (x.FlattenedFrom != null) throw Error(n, "padding a flattened channels-first map is not supported");
            AddOp(n, FloatOpKind.Pad, new[] { x.Tensor }, y).Paddings = graphPads;
        }

        void LowerTranspose(OnnxNode n)
        {
            var x = V(n, 0);
            var perm = n.GetInts("perm", null);
            int rank = x.OnnxShape.Length;
            bool identity = perm == null ? rank <= 1 : perm.Select((p, k) => p == k).All(b => b);
            bool unitMove = perm != null && TrivialPermutation(x.OnnxShape, perm);
            if (!identity && !unitMove)
                throw Error(n, "a Transpose of an activation cannot be folded here (it would need a runtime transpose); Mote folds transposes of constants and ones that only move size-1 dimensions");
            var target = perm == null ? x.OnnxShape : perm.Select(p => x.OnnxShape[p]).ToArray();
            if (identity) { vals[Out(n)] = x; return; }
            var y = NewVal(Out(n), target, target.Length is 3 or 4 && TrivialLayout(target) && FirstConsumerIsSpatial(Out(n)) ? Layout.ChannelsLast : Layout.Plain);
            if (x.Layout == Layout.ChannelsLast && !TrivialLayout(x.OnnxShape))
                throw Error(n, "a Transpose of a channels-first map cannot be folded");
            AddOp(n, FloatOpKind.Reshape, new[] { x.Tensor }, y);
        }

        /// <summary>True when the permutation keeps the order of the dimensions larger than 1 (same bytes).</summary>
        static bool TrivialPermutation(int[] shape, long[] perm)
        {
            var big = perm.Where(p => shape[p] > 1).ToArray();
            return big.Zip(big.Skip(1)).All(t => t.First < t.Second);
        }

        void LowerQuantize(OnnxNode n)
        {
            var x = V(n, 0);
            var (scales, zp, _) = QdqParams(n, x.OnnxShape);
            if (scales.Length != 1) throw Error(n, "per-axis quantization of activations is not supported (one scale per tensor)");
            bool unsigned = ZeroPointIsUnsigned(n);
            vals[Out(n)] = new Val
            {
                Tensor = x.Tensor, OnnxShape = x.OnnxShape, Layout = x.Layout, FlattenedFrom = x.FlattenedFrom,
                QuantizedBy = new FixedQuant { Scales = scales, ZeroPoint = unsigned ? zp - 128 : zp, Source = n.Describe },
            };
        }

        void LowerDequantize(OnnxNode n)
        {
            var q = V(n, 0);
            if (q.QuantizedBy == null) throw Error(n, "dequantizes a float value; Mote expects QuantizeLinear → DequantizeLinear pairs on activations");
            var (scales, zp, _) = QdqParams(n, q.OnnxShape);
            int z = ZeroPointIsUnsigned(n) ? zp - 128 : zp;
            if (scales.Length != 1 || Math.Abs(scales[0] - q.QuantizedBy.Scales[0]) > 1e-6f * scales[0] || z != q.QuantizedBy.ZeroPoint)
                throw Error(n, "scale/zero point differ from its QuantizeLinear's; requantizing pairs are not supported");
            g.IsQdq = true;
            g.Tensors[q.Tensor].Quant = q.QuantizedBy;
            vals[Out(n)] = new Val { Tensor = q.Tensor, OnnxShape = q.OnnxShape, Layout = q.Layout, FlattenedFrom = q.FlattenedFrom };
        }
    }
}

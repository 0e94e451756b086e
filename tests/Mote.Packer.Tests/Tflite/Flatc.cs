using System;
using System.Diagnostics;
using System.IO;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// flatc (Debian package flatbuffers-compiler) as an independent oracle, with our own hand-written subset of the
    /// TFLite schema. Tests that need it skip when flatc is absent, except under CI=true where its absence fails.
    /// </summary>
    internal static class Flatc
    {
        /// <summary>Hand-written subset of the TFLite schema (field order = real field ids).</summary>
        public const string SubsetSchema = """
namespace tflite;
// Mote test subset of the TensorFlow Lite schema: the tables Mote reads, fields in the schema's order (so the
// field ids match); enums are plain bytes so that flatc prints numbers. Unmodelled option tables are empty.
file_identifier "TFL3";
file_extension "tflite";

table CustomQuantization { custom:[ubyte]; }
table BlockwiseQuantization { scales:int; zero_points:int; block_size:int; }
table MultiAxisQuantization { scales:int; zero_points:int; block_size:int; quantized_dimensions:[int]; }
union QuantizationDetails { CustomQuantization, BlockwiseQuantization, MultiAxisQuantization }

table QuantizationParameters {
  min:[float];
  max:[float];
  scale:[float];
  zero_point:[long];
  details:QuantizationDetails;
  quantized_dimension:int;
}

table SparsityParameters { traversal_order:[int]; block_map:[int]; }

table Tensor {
  shape:[int];
  type:byte;
  buffer:uint;
  name:string;
  quantization:QuantizationParameters;
  is_variable:bool = false;
  sparsity:SparsityParameters;
  shape_signature:[int];
  has_rank:bool = false;
}

table Conv2DOptions {
  padding:byte; stride_w:int; stride_h:int; fused_activation_function:byte;
  dilation_w_factor:int = 1; dilation_h_factor:int = 1; quantized_bias_type:byte;
}
table DepthwiseConv2DOptions {
  padding:byte; stride_w:int; stride_h:int; depth_multiplier:int; fused_activation_function:byte;
  dilation_w_factor:int = 1; dilation_h_factor:int = 1;
}
table Pool2DOptions {
  padding:byte; stride_w:int; stride_h:int; filter_width:int; filter_height:int; fused_activation_function:byte;
}
table SVDFOptions { rank:int; fused_activation_function:byte; asymmetric_quantize_inputs:bool; }
table FullyConnectedOptions {
  fused_activation_function:byte; weights_format:byte; keep_num_dims:bool; asymmetric_quantize_inputs:bool;
  quantized_bias_type:byte;
}
table SoftmaxOptions { beta:float; }
table ConcatenationOptions { axis:int; fused_activation_function:byte; }
table AddOptions { fused_activation_function:byte; pot_scale_int16:bool = true; }
table ReshapeOptions { new_shape:[int]; }
table MulOptions { fused_activation_function:byte; }
table PadOptions {}
table TransposeOptions {}
table ReducerOptions { keep_dims:bool; }
table SubOptions { fused_activation_function:byte; pot_scale_int16:bool = true; }
table SqueezeOptions { squeeze_dims:[int]; }
table StridedSliceOptions {
  begin_mask:int; end_mask:int; ellipsis_mask:int; new_axis_mask:int; shrink_axis_mask:int; offset:bool;
}
table TransposeConvOptions {
  padding:byte; stride_w:int; stride_h:int; fused_activation_function:byte; quantized_bias_type:byte;
}
table UnidirectionalSequenceLSTMOptions {
  fused_activation_function:byte; cell_clip:float; proj_clip:float; time_major:bool;
  asymmetric_quantize_inputs:bool; diagonal_recurrent_tensors:bool;
}
table LeakyReluOptions { alpha:float; }
table ConcatEmbeddingsOptions {} table LSHProjectionOptions {} table RNNOptions {} table L2NormOptions {}
table LocalResponseNormalizationOptions {} table LSTMOptions {} table ResizeBilinearOptions {}
table CallOptions {} table SkipGramOptions {} table SpaceToDepthOptions {}
table EmbeddingLookupSparseOptions {} table GatherOptions {} table BatchToSpaceNDOptions {}
table SpaceToBatchNDOptions {} table DivOptions { fused_activation_function:byte; } table SequenceRNNOptions {} table ExpOptions {}
table TopKV2Options {} table SplitOptions {} table LogSoftmaxOptions {} table CastOptions {}
table DequantizeOptions {} table MaximumMinimumOptions {} table ArgMaxOptions {} table LessOptions {}
table NegOptions {} table PadV2Options {} table GreaterOptions {} table GreaterEqualOptions {}
table LessEqualOptions {} table SelectOptions {} table SliceOptions {} table SparseToDenseOptions {}
table TileOptions {} table ExpandDimsOptions {} table EqualOptions {} table NotEqualOptions {}
table ShapeOptions {} table PowOptions {} table ArgMinOptions {} table FakeQuantOptions {}
table PackOptions {} table LogicalOrOptions {} table OneHotOptions {} table LogicalAndOptions {}
table LogicalNotOptions {} table UnpackOptions {} table FloorDivOptions {} table SquareOptions {}
table ZerosLikeOptions {} table FillOptions {} table BidirectionalSequenceLSTMOptions {}
table BidirectionalSequenceRNNOptions {} table FloorModOptions {} table RangeOptions {}
table ResizeNearestNeighborOptions {} table SquaredDifferenceOptions {} table MirrorPadOptions {}
table AbsOptions {} table SplitVOptions {} table UniqueOptions {} table ReverseV2Options {}
table AddNOptions {} table GatherNdOptions {} table CosOptions {} table WhereOptions {} table RankOptions {}
table ReverseSequenceOptions {} table MatrixDiagOptions {} table QuantizeOptions {}
table MatrixSetDiagOptions {} table HardSwishOptions {} table IfOptions {} table WhileOptions {}
table DepthToSpaceOptions {} table NonMaxSuppressionV4Options {} table NonMaxSuppressionV5Options {}
table ScatterNdOptions {} table SelectV2Options {} table DensifyOptions {} table SegmentSumOptions {}
table BatchMatMulOptions {} table CumsumOptions {} table CallOnceOptions {} table BroadcastToOptions {}
table Rfft2dOptions {} table Conv3DOptions {} table HashtableOptions {} table HashtableFindOptions {}
table HashtableImportOptions {} table HashtableSizeOptions {} table VarHandleOptions {}
table ReadVariableOptions {} table AssignVariableOptions {} table RandomOptions {} table BucketizeOptions {}
table GeluOptions {} table DynamicUpdateSliceOptions {} table UnsortedSegmentProdOptions {}
table UnsortedSegmentMaxOptions {} table UnsortedSegmentMinOptions {} table UnsortedSegmentSumOptions {}
table ATan2Options {} table SignOptions {} table BitcastOptions {} table BitwiseXorOptions {}
table RightShiftOptions {}

union BuiltinOptions {
  Conv2DOptions, DepthwiseConv2DOptions, ConcatEmbeddingsOptions, LSHProjectionOptions, Pool2DOptions,
  SVDFOptions, RNNOptions, FullyConnectedOptions, SoftmaxOptions, ConcatenationOptions, AddOptions,
  L2NormOptions, LocalResponseNormalizationOptions, LSTMOptions, ResizeBilinearOptions, CallOptions,
  ReshapeOptions, SkipGramOptions, SpaceToDepthOptions, EmbeddingLookupSparseOptions, MulOptions, PadOptions,
  GatherOptions, BatchToSpaceNDOptions, SpaceToBatchNDOptions, TransposeOptions, ReducerOptions, SubOptions,
  DivOptions, SqueezeOptions, SequenceRNNOptions, StridedSliceOptions, ExpOptions, TopKV2Options,
  SplitOptions, LogSoftmaxOptions, CastOptions, DequantizeOptions, MaximumMinimumOptions, ArgMaxOptions,
  LessOptions, NegOptions, PadV2Options, GreaterOptions, GreaterEqualOptions, LessEqualOptions,
  SelectOptions, SliceOptions, TransposeConvOptions, SparseToDenseOptions, TileOptions, ExpandDimsOptions,
  EqualOptions, NotEqualOptions, ShapeOptions, PowOptions, ArgMinOptions, FakeQuantOptions, PackOptions,
  LogicalOrOptions, OneHotOptions, LogicalAndOptions, LogicalNotOptions, UnpackOptions, FloorDivOptions,
  SquareOptions, ZerosLikeOptions, FillOptions, BidirectionalSequenceLSTMOptions,
  BidirectionalSequenceRNNOptions, UnidirectionalSequenceLSTMOptions, FloorModOptions, RangeOptions,
  ResizeNearestNeighborOptions, LeakyReluOptions, SquaredDifferenceOptions, MirrorPadOptions, AbsOptions,
  SplitVOptions, UniqueOptions, ReverseV2Options, AddNOptions, GatherNdOptions, CosOptions, WhereOptions,
  RankOptions, ReverseSequenceOptions, MatrixDiagOptions, QuantizeOptions, MatrixSetDiagOptions,
  HardSwishOptions, IfOptions, WhileOptions, DepthToSpaceOptions, NonMaxSuppressionV4Options,
  NonMaxSuppressionV5Options, ScatterNdOptions, SelectV2Options, DensifyOptions, SegmentSumOptions,
  BatchMatMulOptions, CumsumOptions, CallOnceOptions, BroadcastToOptions, Rfft2dOptions, Conv3DOptions,
  HashtableOptions, HashtableFindOptions, HashtableImportOptions, HashtableSizeOptions, VarHandleOptions,
  ReadVariableOptions, AssignVariableOptions, RandomOptions, BucketizeOptions, GeluOptions,
  DynamicUpdateSliceOptions, UnsortedSegmentProdOptions, UnsortedSegmentMaxOptions,
  UnsortedSegmentMinOptions, UnsortedSegmentSumOptions, ATan2Options, SignOptions, BitcastOptions,
  BitwiseXorOptions, RightShiftOptions
}

table OperatorCode {
  deprecated_builtin_code:byte;
  custom_code:string;
  version:int = 1;
  builtin_code:int;
}

table Operator {
  opcode_index:uint;
  inputs:[int];
  outputs:[int];
  builtin_options:BuiltinOptions;
  custom_options:[ubyte];
  custom_options_format:byte;
  mutating_variable_inputs:[bool];
  intermediates:[int];
  large_custom_options_offset:ulong;
  large_custom_options_size:ulong;
}

table SubGraph {
  tensors:[Tensor];
  inputs:[int];
  outputs:[int];
  operators:[Operator];
  name:string;
}

table Buffer {
  data:[ubyte] (force_align: 16);
  offset:ulong;
  size:ulong;
}

table Model {
  version:uint;
  operator_codes:[OperatorCode];
  subgraphs:[SubGraph];
  description:string;
  buffers:[Buffer];
}

root_type Model;
""";

        /// <summary>The subset with every float typed as uint, so that flatc's JSON dump carries exact float bits.</summary>
        public static string DumpSchema => SubsetSchema.Replace("float", "uint");

        static string Find()
        {
            string env = Environment.GetEnvironmentVariable("MOTE_FLATC");
            if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                string p = Path.Combine(dir, "flatc");
                if (File.Exists(p)) return p;
            }
            return null;
        }

        /// <summary>Path of flatc; skips the test when absent (fails under CI=true).</summary>
        public static string Require()
        {
            string path = Find();
            if (path == null)
            {
                const string reason = "flatc is not installed (apt-get install flatbuffers-compiler)";
                if (Mote.Tests.Common.SharedData.IsCi) Xunit.Assert.Fail("CI=true but " + reason);
                Xunit.Skip.If(true, reason);
            }
            return path;
        }

        /// <summary>Runs flatc with <paramref name="args"/> in <paramref name="workDir"/>; fails the test on a non-zero exit or timeout.</summary>
        public static void Run(string workDir, params string[] args)
        {
            var psi = new ProcessStartInfo(Require())
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                Xunit.Assert.Fail("flatc timed out: flatc " + string.Join(" ", args));
            }
            p.WaitForExit();
            if (p.ExitCode != 0)
                Xunit.Assert.Fail("flatc " + string.Join(" ", args) + " exited with " + p.ExitCode + ": " + stdout.Result + stderr.Result);
        }

        /// <summary>A fresh temporary directory, deleted by Dispose.</summary>
        public sealed class TempDir : IDisposable
        {
            public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mote-flatc-" + Guid.NewGuid().ToString("N"));
            public TempDir() { Directory.CreateDirectory(Path); }
            public string File(string name) => System.IO.Path.Combine(Path, name);
            public void Dispose()
            {
                try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}

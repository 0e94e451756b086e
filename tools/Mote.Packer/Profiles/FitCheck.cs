using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Runtime.Format;

namespace Mote.Packer.Profiles
{
    /// <summary>A tensor in the arena at the peak step, with where the plan put it.</summary>
    public sealed class LiveTensor
    {
        public int Tensor { get; init; }
        public int SourceIndex { get; init; }
        public string Name { get; init; }
        public int DataType { get; init; }
        public int[] Shape { get; init; }
        public int Bytes { get; init; }
        public int ArenaOffset { get; init; }
        /// <summary>Index (execution order) of the operator that writes it, or -1 for a model input.</summary>
        public int Producer { get; init; }
        /// <summary>The same operator's index in the source model, or -1.</summary>
        public int ProducerSourceIndex { get; init; }
        public bool IsModelInput { get; init; }
        public bool IsModelOutput { get; init; }

        public string ShapeText => "[" + string.Join(",", Shape) + "]";
    }

    /// <summary>The operator step at which the most arena bytes are live, and those tensors (largest first).</summary>
    public sealed class PeakStep
    {
        /// <summary>Operator index in the blob (execution order).</summary>
        public int Operator { get; init; }
        /// <summary>Operator index in the source model.</summary>
        public int SourceIndex { get; init; }
        public string OpName { get; init; }
        /// <summary>Bytes of the arena occupied at this step (overlapping in-place buffers counted once, kernel scratch included).</summary>
        public long LiveBytes { get; init; }
        /// <summary>Kernel scratch the plan reserves at this step (0 for the reference kernels).</summary>
        public int ScratchBytes { get; init; }
        public IReadOnlyList<LiveTensor> Tensors { get; init; }
    }

    /// <summary>How a packed model uses a board's flash and RAM budgets (<see cref="FitCheck.Check"/>).</summary>
    public sealed class FitReport
    {
        public HardwareProfile Profile { get; init; }

        public long BlobBytes { get; init; }
        /// <summary>Weights, biases and requantization tables in the blob.</summary>
        public long ConstantBytes { get; init; }
        public long FlashBudgetBytes => Profile.FlashBudgetBytes;
        public bool FlashFits => BlobBytes <= FlashBudgetBytes;

        public long ArenaBytes { get; init; }
        /// <summary>Load-time state measured on the host (64-bit .NET), as `mote bench` reports state_bytes.</summary>
        public long HostStateBytes { get; init; }
        /// <summary><see cref="HostStateBytes"/> × the profile's state_overhead_factor, rounded up.</summary>
        public long StateBytes { get; init; }
        /// <summary>
        /// The largest kernel scratch of one operator. The planner reserves scratch inside the arena (live only at
        /// its operator's step), so it is part of <see cref="ArenaBytes"/> and not added again; 0 for the reference kernels.
        /// </summary>
        public long ScratchBytes { get; init; }
        /// <summary>The blob's bytes when the profile holds the blob in RAM, else 0.</summary>
        public long BlobRamBytes { get; init; }
        /// <summary>RAM the model needs on the board: arena (scratch included) + load-time state (+ the blob when held in RAM).</summary>
        public long RamBytes => ArenaBytes + StateBytes + BlobRamBytes;
        public long RamBudgetBytes => Profile.RamBudgetBytes;
        public bool RamFits => RamBytes <= RamBudgetBytes;

        public bool Fits => FlashFits && RamFits;

        public PeakStep Peak { get; init; }
        /// <summary>What would help, most relevant first; empty when the model fits.</summary>
        public IReadOnlyList<string> Suggestions { get; init; }
        /// <summary>Ids of the other profiles given to the check on which the model fits.</summary>
        public IReadOnlyList<string> FitsOn { get; init; }

        public static double Percent(long used, long budget) => budget <= 0 ? double.PositiveInfinity : 100.0 * used / budget;

        /// <summary>Writes the report as one JSON object (field names as in hardware profiles: snake_case).</summary>
        public void WriteJson(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("profile", Profile.Id);
            w.WriteBoolean("fits", Fits);
            w.WriteStartObject("flash");
            w.WriteNumber("blob_bytes", BlobBytes);
            w.WriteNumber("constant_bytes", ConstantBytes);
            w.WriteNumber("budget_bytes", FlashBudgetBytes);
            w.WriteNumber("percent", Math.Round(Percent(BlobBytes, FlashBudgetBytes), 2));
            w.WriteBoolean("fits", FlashFits);
            w.WriteEndObject();
            w.WriteStartObject("ram");
            w.WriteNumber("arena_bytes", ArenaBytes);
            w.WriteNumber("state_bytes", StateBytes);
            w.WriteNumber("host_state_bytes", HostStateBytes);
            w.WriteNumber("state_overhead_factor", Profile.StateOverheadFactor);
            w.WriteNumber("scratch_bytes_in_arena", ScratchBytes);
            w.WriteNumber("blob_bytes", BlobRamBytes);
            w.WriteNumber("total_bytes", RamBytes);
            w.WriteNumber("budget_bytes", RamBudgetBytes);
            w.WriteNumber("percent", Math.Round(Percent(RamBytes, RamBudgetBytes), 2));
            w.WriteBoolean("fits", RamFits);
            w.WriteEndObject();
            if (Peak != null)
            {
                w.WriteStartObject("peak");
                w.WriteNumber("operator", Peak.Operator);
                w.WriteNumber("source_index", Peak.SourceIndex);
                w.WriteString("op", Peak.OpName);
                w.WriteNumber("live_bytes", Peak.LiveBytes);
                w.WriteStartArray("tensors");
                foreach (var t in Peak.Tensors)
                {
                    w.WriteStartObject();
                    w.WriteNumber("tensor", t.SourceIndex);
                    w.WriteString("name", t.Name);
                    w.WriteString("dtype", Runtime.Format.DataType.Name(t.DataType));
                    w.WriteStartArray("shape");
                    foreach (int d in t.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                    w.WriteNumber("bytes", t.Bytes);
                    w.WriteNumber("arena_offset", t.ArenaOffset);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteStartArray("suggestions");
            foreach (var s in Suggestions) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteStartArray("fits_on");
            foreach (var s in FitsOn) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    /// <summary>
    /// Does a packed model fit a board? Flash: the blob against flash_budget_bytes. RAM: arena (the planner puts
    /// kernel scratch inside it) + load-time state (host-measured × state_overhead_factor) (+ the blob when the
    /// profile holds it in RAM) against ram_budget_bytes. When it does not fit, the report names the peak
    /// operator — the step where the most arena bytes are live — with its live tensors, and what would help.
    /// Pure computation over the planned graph: the CLI only formats the report.
    /// </summary>
    public static class FitCheck
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>Checks a packed model (measures the load-time state on this host first).</summary>
        public static FitReport Check(HardwareProfile profile, PackResult packed, IEnumerable<HardwareProfile> others = null)
        {
            long state = LoadState.Measure(packed.Blob, packed.Model.ArenaBytes);
            return Check(profile, packed.Graph, packed.Blob.Length, packed.Model.ConstantBytes, packed.Model.ArenaBytes, state, others);
        }

        /// <param name="graph">a planned graph (every activation has its arena offset; kernel scratch from <see cref="PackGraph.Plan"/> when set)</param>
        /// <param name="hostStateBytes">load-time state measured on 64-bit .NET (<see cref="LoadState.Measure"/>)</param>
        /// <param name="others">profiles to list under "fits on" when this one does not fit</param>
        public static FitReport Check(HardwareProfile profile, PackGraph graph, long blobBytes, long constantBytes, long arenaBytes,
            long hostStateBytes, IEnumerable<HardwareProfile> others = null)
        {
            if (profile == null) throw new ArgumentNullException(nameof(profile));
            if (graph == null) throw new ArgumentNullException(nameof(graph));
            long scratchBytes = graph.Plan?.ScratchBytes is { Length: > 0 } sb ? sb.Max() : 0;
            var peak = FindPeak(graph);
            FitReport Make(HardwareProfile p, IReadOnlyList<string> suggestions, IReadOnlyList<string> fitsOn) => new FitReport
            {
                Profile = p,
                BlobBytes = blobBytes,
                ConstantBytes = constantBytes,
                ArenaBytes = arenaBytes,
                HostStateBytes = hostStateBytes,
                StateBytes = LoadState.Scale(hostStateBytes, p.StateOverheadFactor),
                ScratchBytes = scratchBytes,
                BlobRamBytes = p.BlobInRam ? blobBytes : 0,
                Peak = peak,
                Suggestions = suggestions,
                FitsOn = fitsOn,
            };
            var bare = Make(profile, Array.Empty<string>(), Array.Empty<string>());
            if (bare.Fits) return bare;
            var fitsOn = (others ?? Enumerable.Empty<HardwareProfile>())
                .Where(o => o.Id != profile.Id && Make(o, null, null).Fits).Select(o => o.Id).ToList();
            return Make(profile, Suggest(bare, graph, fitsOn), fitsOn);
        }

        /// <summary>
        /// The operator step with the most arena bytes live: for each operator, the union of the
        /// [offset, offset + bytes) ranges of the tensors live there (ArenaPlanner.Lifetimes) and of the kernel
        /// scratch the plan reserves at that step, so buffers the plan shares in place count once. Ties go to the
        /// earliest operator. Null for a graph without operators.
        /// </summary>
        public static PeakStep FindPeak(PackGraph graph)
        {
            if (graph.Operators.Count == 0) return null;
            var lives = ArenaPlanner.Lifetimes(graph);
            foreach (var l in lives)
                if (graph.Tensors[l.Tensor].ArenaOffset < 0)
                    throw new ArgumentException($"{graph.Tensors[l.Tensor].Describe} has no arena offset: plan the graph first", nameof(graph));
            var producer = new Dictionary<int, int>();
            for (int i = 0; i < graph.Operators.Count; i++)
                foreach (int t in graph.Operators[i].Outputs)
                    if (t >= 0) producer[t] = i;
            int bestStep = -1;
            long best = -1;
            var plan = graph.Plan;
            int Scratch(int step) => plan?.ScratchBytes != null && plan.ScratchOffsets != null && plan.ScratchBytes[step] > 0 && plan.ScratchOffsets[step] >= 0
                ? plan.ScratchBytes[step] : 0;
            for (int step = 0; step < graph.Operators.Count; step++)
            {
                var ranges = lives.Where(l => l.First <= step && step <= l.Last).Select(l => (graph.Tensors[l.Tensor].ArenaOffset, l.Bytes)).ToList();
                if (Scratch(step) > 0) ranges.Add((plan.ScratchOffsets[step], Scratch(step)));
                long bytes = UnionBytes(ranges);
                if (bytes > best)
                {
                    best = bytes;
                    bestStep = step;
                }
            }
            var op = graph.Operators[bestStep];
            var tensors = lives.Where(l => l.First <= bestStep && bestStep <= l.Last)
                .Select(l => graph.Tensors[l.Tensor])
                .Select(t => new LiveTensor
                {
                    Tensor = t.Index,
                    SourceIndex = t.SourceIndex,
                    Name = t.Name,
                    DataType = t.DataType,
                    Shape = t.Shape,
                    Bytes = t.Bytes,
                    ArenaOffset = t.ArenaOffset,
                    Producer = producer.TryGetValue(t.Index, out int p) ? p : -1,
                    ProducerSourceIndex = producer.TryGetValue(t.Index, out int q) ? graph.Operators[q].SourceIndex : -1,
                    IsModelInput = graph.Inputs.Contains(t.Index),
                    IsModelOutput = graph.Outputs.Contains(t.Index),
                })
                .OrderByDescending(t => t.Bytes).ThenBy(t => t.Tensor).ToList();
            return new PeakStep { Operator = bestStep, SourceIndex = op.SourceIndex, OpName = op.Name, LiveBytes = best, ScratchBytes = Scratch(bestStep), Tensors = tensors };
        }

        /// <summary>Bytes covered by a set of [offset, offset + length) ranges.</summary>
        public static long UnionBytes(IEnumerable<(int offset, int bytes)> ranges)
        {
            long total = 0, end = long.MinValue;
            foreach (var (start, len) in ranges.Where(r => r.bytes > 0).OrderBy(r => r.offset))
            {
                long s = Math.Max(start, end), e = (long)start + len;
                if (e > s) total += e - s;
                end = Math.Max(end, e);
            }
            return total;
        }

        static string B(long v) => v.ToString("N0", Inv) + " B";

        static string Describe(LiveTensor t) => $"'{t.Name}' {DataType.Name(t.DataType)}{t.ShapeText}";

        /// <summary>What would make the model fit, from the numbers of this report (most relevant first).</summary>
        static List<string> Suggest(FitReport r, PackGraph g, IReadOnlyList<string> fitsOn)
        {
            var s = new List<string>();
            var p = r.Profile;
            string boards = fitsOn.Count > 0 ? $"; of the profiles given, it fits: {string.Join(", ", fitsOn)}" : "";
            if (!r.FlashFits)
                s.Add($"flash: the blob is {B(r.BlobBytes - r.FlashBudgetBytes)} over the budget; its weights and tables take {B(r.ConstantBytes)}: "
                    + "fewer channels or layers (smaller weight tensors), or a board with more flash" + boards);
            if (r.RamFits) return s;

            long over = r.RamBytes - r.RamBudgetBytes;
            if (r.BlobRamBytes > 0 && r.BlobRamBytes >= r.ArenaBytes)
                s.Add($"the blob itself ({B(r.BlobRamBytes)}, of which {B(r.ConstantBytes)} weights and tables) is held in RAM on {p.Runtime} "
                    + $"(Model.Load reads a byte[]){(r.BlobRamBytes > r.RamBudgetBytes ? " and alone exceeds the RAM budget" : "")}: "
                    + "a smaller model (fewer channels or layers) or a board with more RAM");
            var peak = r.Peak;
            if (peak != null && peak.Tensors.Count > 0)
            {
                var firstInput = g.Inputs.Length > 0 ? g.Tensors[g.Inputs[0]] : null;
                if (firstInput != null && firstInput.Shape.Length == 4 && firstInput.Shape[1] * firstInput.Shape[2] > 1)
                    s.Add($"a smaller input resolution: the input '{firstInput.Name}' is {DataType.Name(firstInput.DataType)}{firstInput.ShapeText}; "
                        + $"activation sizes scale with its height × width, and {B(peak.LiveBytes)} are live at the peak (operator {peak.SourceIndex} {peak.OpName})");
                else if (firstInput != null)
                    s.Add($"a smaller input: the input '{firstInput.Name}' is {DataType.Name(firstInput.DataType)}{firstInput.ShapeText} "
                        + $"(shorter window or fewer features); {B(peak.LiveBytes)} are live at the peak (operator {peak.SourceIndex} {peak.OpName})");
                var largest = peak.Tensors.FirstOrDefault(t => t.Producer >= 0);
                if (largest != null)
                {
                    var prod = g.Operators[largest.Producer];
                    int channels = largest.Shape.Length > 0 ? largest.Shape[largest.Shape.Length - 1] : 1;
                    s.Add($"fewer channels at operator {prod.SourceIndex} {prod.Name}: it writes {Describe(largest)} = {B(largest.Bytes)}, "
                        + $"the largest tensor live at the peak ({channels} channels; each channel fewer saves {B(largest.Bytes / Math.Max(1, channels))} there)");
                }
                foreach (var t in peak.Tensors.Where(t => DataType.Size(t.DataType) > 1))
                    s.Add($"int8 instead of {DataType.Name(t.DataType)}: {Describe(t)} takes {B(t.Bytes)} at the peak; as int8 it would take {B(t.Bytes / DataType.Size(t.DataType))}");
            }
            if (peak != null && peak.ScratchBytes > 0 && p.KernelTier != KernelTiers.ReferenceManaged)
                s.Add($"reference instead of {p.KernelTier} kernels: operator {peak.SourceIndex} {peak.OpName} reserves {B(peak.ScratchBytes)} of kernel scratch at the peak; "
                    + "the reference kernels need none (but run slower)");
            if (r.StateBytes * 4 >= r.RamBytes)
                s.Add($"load-time state is {B(r.StateBytes)} on {p.Runtime} ({B(r.HostStateBytes)} measured on 64-bit .NET × {p.StateOverheadFactor.ToString("0.##", Inv)}): "
                    + "fewer operators and tensors reduce it");
            s.Add($"a board with more RAM: this one allows {B(r.RamBudgetBytes)}, the model needs {B(r.RamBytes)} ({B(over)} over){boards}");
            return s;
        }
    }
}

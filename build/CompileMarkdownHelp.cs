// The MSBuild task behind build/Help.targets: docs/commands/*.md (platyPS-style Markdown) -> MAML.
// Compiled by RoslynCodeTaskFactory against netstandard, so it uses nothing beyond System.Xml.
using System;
#nullable enable
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class CompileMarkdownHelp : Task
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    [Required] public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string OutputFile { get; set; } = "";
    /// <summary>
    /// Where each command's page is online: the page is this plus "&lt;Command-Name&gt;.md", written as the first
    /// related link ("Online Version:"), which Get-Help -Online opens. Empty: no online link.
    /// </summary>
    public string OnlineBaseUri { get; set; } = "";

    public override bool Execute()
    {
        var commands = new List<HelpCommand>();
        foreach (var source in Sources.OrderBy(s => s.ItemSpec, StringComparer.Ordinal))
        {
            var path = source.GetMetadata("FullPath");
            var command = new Parser(path, Log).Parse(File.ReadAllLines(path));
            if (command != null)
            {
                if (OnlineBaseUri.Length > 0)
                {
                    command.Links.Insert(0, ("Online Version:", OnlineBaseUri + command.Name + ".md"));
                }
                commands.Add(command);
            }
        }
        if (Log.HasLoggedErrors)
        {
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        var temp = OutputFile + ".tmp";
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false) };
        using (var writer = XmlWriter.Create(temp, settings))
        {
            Write(writer, commands);
        }
        if (File.Exists(OutputFile))
        {
            File.Delete(OutputFile);
        }
        File.Move(temp, OutputFile);
        Log.LogMessage(MessageImportance.Normal, $"Help: {commands.Count} command(s) -> {OutputFile}");
        return true;
    }

    // ---------------------------------------------------------------------------------------- model

    private sealed class HelpCommand
    {
        public string Name = "", Synopsis = "";
        public List<string> Description = new(), Notes = new();
        public List<(string Name, bool IsDefault, string Text, int Line)> SyntaxBlocks = new();
        public List<(string Title, string Code, List<string> Remarks)> Examples = new();
        public List<HelpParameter> Parameters = new();
        public List<(string Type, List<string> Text)> Inputs = new(), Outputs = new();
        public List<(string Text, string Uri)> Links = new();
    }

    private sealed class HelpParameter
    {
        public string Name = "", Type = "", DefaultValue = "None";
        public List<string> Description = new(), Sets = new(), Aliases = new();
        public bool Required, ByValue, ByPropertyName, Globbing;
        public int? Position;
        public bool IsSwitch => Type == "SwitchParameter";
        public bool InSet(string set) => Sets.Count == 0 || Sets.Contains(set);
    }

    // ---------------------------------------------------------------------------------------- parser

    private sealed class Parser
    {
        private readonly string _file;
        private readonly TaskLoggingHelper _log;
        private string[] _lines = Array.Empty<string>();

        public Parser(string file, TaskLoggingHelper log) { _file = file; _log = log; }

        private void Error(int line, string message) =>
            _log.LogError("help", "BTHELP002", null, _file, line + 1, 0, 0, 0, message);

        public HelpCommand? Parse(string[] lines)
        {
            _lines = lines;
            var command = new HelpCommand();
            var sections = Split(0, lines.Length, "## ");
            var title = Array.FindIndex(lines, l => l.StartsWith("# ", StringComparison.Ordinal));
            if (title < 0)
            {
                Error(0, "The file must start with '# <Command-Name>'.");
                return null;
            }
            command.Name = lines[title].Substring(2).Trim();
            var expected = Path.GetFileNameWithoutExtension(_file);
            if (!string.Equals(command.Name, expected, StringComparison.Ordinal))
            {
                Error(title, $"The title '{command.Name}' must equal the file name '{expected}'.");
            }
            foreach (var (heading, start, end) in sections)
            {
                switch (heading.ToUpperInvariant())
                {
                    case "SYNOPSIS": command.Synopsis = string.Join(" ", Paragraphs(start, end)); break;
                    case "SYNTAX": ParseSyntax(command, start, end); break;
                    case "DESCRIPTION": command.Description = Paragraphs(start, end); break;
                    case "EXAMPLES": ParseExamples(command, start, end); break;
                    case "PARAMETERS": ParseParameters(command, start, end); break;
                    case "INPUTS": command.Inputs = Typed(start, end); break;
                    case "OUTPUTS": command.Outputs = Typed(start, end); break;
                    case "NOTES": command.Notes = Paragraphs(start, end); break;
                    case "RELATED LINKS": ParseLinks(command, start, end); break;
                    default: Error(start - 1, $"Unknown section '## {heading}'."); break;
                }
            }
            foreach (var required in new[] { "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "PARAMETERS" })
            {
                if (!sections.Any(s => s.Heading.Equals(required, StringComparison.OrdinalIgnoreCase)))
                {
                    Error(title, $"Missing section '## {required}'.");
                }
            }
            if (command.Synopsis.Length == 0) Error(title, "The SYNOPSIS is empty.");
            if (command.Description.Count == 0) Error(title, "The DESCRIPTION is empty.");
            if (command.Examples.Count == 0) Error(title, "There is no example.");
            CheckSyntax(command);
            return command;
        }

        /// <summary>Headings with the given prefix between start and end (fenced code excluded): (heading, first line, end).</summary>
        private List<(string Heading, int Start, int End)> Split(int start, int end, string prefix)
        {
            var found = new List<(string, int)>();
            var fenced = false;
            for (var i = start; i < end; i++)
            {
                if (_lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
                else if (!fenced && _lines[i].StartsWith(prefix, StringComparison.Ordinal)) found.Add((_lines[i].Substring(prefix.Length).Trim(), i));
            }
            var result = new List<(string, int, int)>();
            for (var k = 0; k < found.Count; k++)
            {
                result.Add((found[k].Item1, found[k].Item2 + 1, k + 1 < found.Count ? found[k + 1].Item2 : end));
            }
            return result;
        }

        /// <summary>Text paragraphs (blank-line separated; list items keep their own lines), skipping code fences.</summary>
        private List<string> Paragraphs(int start, int end)
        {
            var result = new List<string>();
            var current = new List<string>();
            void Flush()
            {
                if (current.Count == 0) return;
                var list = current.All(l => l.StartsWith("- ", StringComparison.Ordinal) || l.StartsWith("  ", StringComparison.Ordinal));
                result.Add(list ? string.Join("\n", current) : string.Join(" ", current.Select(l => l.Trim())));
                current.Clear();
            }
            for (var i = start; i < end; i++)
            {
                var line = _lines[i].TrimEnd();
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    Flush();
                    var code = new List<string>();
                    for (i++; i < end && !_lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++) code.Add(_lines[i].TrimEnd());
                    result.Add(string.Join("\n", code));
                    continue;
                }
                if (line.Length == 0) Flush();
                else current.Add(line);
            }
            Flush();
            return result;
        }

        /// <summary>The first fenced block between start and end: (info string, code, line after the fence).</summary>
        private (string Info, string Code, int Open, int After)? Fence(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (!_lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal)) continue;
                var info = _lines[i].Trim().Substring(3).Trim();
                var code = new List<string>();
                var j = i + 1;
                for (; j < end && !_lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal); j++) code.Add(_lines[j].TrimEnd());
                if (j >= end)
                {
                    Error(i, "Unclosed code fence.");
                    return null;
                }
                return (info, string.Join("\n", code), i, j + 1);
            }
            return null;
        }

        private void ParseSyntax(HelpCommand command, int start, int end)
        {
            var sets = Split(start, end, "### ");
            if (sets.Count == 0) sets.Add(("__AllParameterSets", start, end));
            foreach (var (heading, s, e) in sets)
            {
                var isDefault = heading.EndsWith("(Default)", StringComparison.Ordinal);
                var name = isDefault ? heading.Substring(0, heading.Length - "(Default)".Length).Trim() : heading;
                var fence = Fence(s, e);
                if (fence == null) Error(s - 1, $"Parameter set '{name}' has no ``` block with its syntax.");
                else command.SyntaxBlocks.Add((name, isDefault, fence.Value.Code.Trim(), fence.Value.Open + 1));
            }
        }

        private void ParseExamples(HelpCommand command, int start, int end)
        {
            foreach (var (heading, s, e) in Split(start, end, "### "))
            {
                var fence = Fence(s, e);
                if (fence == null || fence.Value.Code.Trim().Length == 0)
                {
                    Error(s - 1, $"Example '{heading}' has no ```powershell block.");
                    continue;
                }
                var remarks = Paragraphs(s, fence.Value.Open).Concat(Paragraphs(fence.Value.After, e)).ToList();
                command.Examples.Add((heading, fence.Value.Code, remarks));
            }
        }

        private void ParseParameters(HelpCommand command, int start, int end)
        {
            foreach (var (heading, s, e) in Split(start, end, "### "))
            {
                if (heading == "CommonParameters")
                {
                    continue; // PowerShell writes its own paragraph about them
                }
                if (!heading.StartsWith("-", StringComparison.Ordinal))
                {
                    Error(s - 1, $"A parameter heading is '### -Name', not '### {heading}'.");
                    continue;
                }
                var parameter = new HelpParameter { Name = heading.Substring(1).Trim() };
                var fence = Fence(s, e);
                if (fence == null || fence.Value.Info != "yaml")
                {
                    Error(s - 1, $"Parameter -{parameter.Name} needs a ```yaml block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters).");
                    continue;
                }
                parameter.Description = Paragraphs(s, fence.Value.Open);
                if (parameter.Description.Count == 0) Error(s - 1, $"Parameter -{parameter.Name} has no description.");
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var lineNo = fence.Value.Open;
                foreach (var raw in fence.Value.Code.Split('\n'))
                {
                    lineNo++;
                    if (raw.Trim().Length == 0) continue;
                    var colon = raw.IndexOf(':');
                    if (colon < 0) { Error(lineNo, $"Expected 'Key: value', not '{raw.Trim()}'."); continue; }
                    var key = raw.Substring(0, colon).Trim();
                    var value = raw.Substring(colon + 1).Trim();
                    seen.Add(key);
                    switch (key.ToLowerInvariant())
                    {
                        case "type": parameter.Type = value; break;
                        case "parameter sets":
                            parameter.Sets = value == "(All)" ? new List<string>() : value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
                            break;
                        case "aliases":
                            parameter.Aliases = value == "None" ? new List<string>() : value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
                            break;
                        case "required": parameter.Required = Bool(value, lineNo); break;
                        case "position":
                            if (value.Equals("Named", StringComparison.OrdinalIgnoreCase)) parameter.Position = null;
                            else if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p >= 0) parameter.Position = p;
                            else Error(lineNo, $"Position is Named or a number, not '{value}'.");
                            break;
                        case "default value": parameter.DefaultValue = value; break;
                        case "accept pipeline input":
                            parameter.ByValue = value.Contains("ByValue");
                            parameter.ByPropertyName = value.Contains("ByPropertyName");
                            if (Bool(value.Split(' ')[0], lineNo) != (parameter.ByValue || parameter.ByPropertyName))
                                Error(lineNo, "Accept pipeline input is 'False', or 'True (ByValue)', 'True (ByPropertyName)', 'True (ByPropertyName, ByValue)'.");
                            break;
                        case "accept wildcard characters": parameter.Globbing = Bool(value, lineNo); break;
                        default: Error(lineNo, $"Unknown key '{key}'."); break;
                    }
                }
                foreach (var key in new[] { "Type", "Required", "Position", "Accept pipeline input" })
                {
                    if (!seen.Contains(key)) Error(fence.Value.Open, $"Parameter -{parameter.Name} does not say its '{key}'.");
                }
                if (command.Parameters.Any(p => p.Name.Equals(parameter.Name, StringComparison.OrdinalIgnoreCase)))
                    Error(s - 1, $"Parameter -{parameter.Name} is documented twice.");
                command.Parameters.Add(parameter);
            }
        }

        private bool Bool(string value, int line)
        {
            if (value.Equals("True", StringComparison.OrdinalIgnoreCase)) return true;
            if (!value.Equals("False", StringComparison.OrdinalIgnoreCase)) Error(line, $"Expected True or False, not '{value}'.");
            return false;
        }

        private List<(string, List<string>)> Typed(int start, int end) =>
            Split(start, end, "### ").Select(t => (t.Heading, Paragraphs(t.Start, t.End))).ToList();

        private void ParseLinks(HelpCommand command, int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var line = _lines[i].Trim().TrimStart('-', '*').Trim();
                if (line.Length == 0) continue;
                var open = line.IndexOf('[');
                var close = line.IndexOf("](", StringComparison.Ordinal);
                if (open == 0 && close > 0 && line.EndsWith(")", StringComparison.Ordinal))
                {
                    var uri = line.Substring(close + 2, line.Length - close - 3).Trim();
                    // A link to another command's page is written as its .md file; Get-Help wants just the name.
                    if (uri.EndsWith(".md", StringComparison.OrdinalIgnoreCase)) uri = "";
                    command.Links.Add((line.Substring(1, close - 1), uri));
                }
                else Error(i, "A related link is '[Text](uri)' (a command's page may be '[Get-X](Get-X.md)').");
            }
        }

        /// <summary>Each SYNTAX block must be exactly what the parameter blocks imply, so the two cannot drift apart.</summary>
        private void CheckSyntax(HelpCommand command)
        {
            foreach (var set in command.Parameters.SelectMany(p => p.Sets).Distinct())
            {
                if (!command.SyntaxBlocks.Any(b => b.Name == set))
                    Error(0, $"Parameter set '{set}' is named by a parameter but has no '### {set}' block under ## SYNTAX.");
            }
            foreach (var block in command.SyntaxBlocks)
            {
                var generated = SyntaxLine(command, block.Name);
                if (block.Text != generated)
                    Error(block.Line, $"The syntax of {command.Name} ({block.Name}) disagrees with its parameters; it should read:\n{generated}");
            }
        }
    }

    // ---------------------------------------------------------------------------------------- syntax

    private static readonly string[] ShouldProcessParameters = { "WhatIf", "Confirm" };

    /// <summary>The parameters of one set in PowerShell's order: positional by position, then named as documented, WhatIf/Confirm last.</summary>
    private static List<HelpParameter> InSet(HelpCommand command, string set) =>
        command.Parameters.Where(p => p.InSet(set))
            .OrderBy(p => ShouldProcessParameters.Contains(p.Name) ? 2 : p.Position.HasValue ? 0 : 1)
            .ThenBy(p => p.Position ?? 0)
            .ToList();

    private static string SyntaxLine(HelpCommand command, string set)
    {
        var text = new StringBuilder(command.Name);
        foreach (var p in InSet(command, set))
        {
            var name = p.Position.HasValue ? $"[-{p.Name}]" : $"-{p.Name}";
            var part = p.IsSwitch ? $"-{p.Name}" : $"{name} <{p.Type}>";
            text.Append(' ').Append(p.Required ? part : $"[{part}]");
        }
        return text.Append(" [<CommonParameters>]").ToString();
    }

    private static IEnumerable<(string Name, bool IsDefault)> Sets(HelpCommand command) =>
        command.SyntaxBlocks.Count > 0
            ? command.SyntaxBlocks.OrderBy(b => b.IsDefault ? 0 : 1).Select(b => (b.Name, b.IsDefault))
            : new[] { ("__AllParameterSets", true) };

    // ---------------------------------------------------------------------------------------- MAML

    private static void Write(XmlWriter w, List<HelpCommand> commands)
    {
        w.WriteStartDocument();
        w.WriteStartElement("helpItems", "http://msh");
        w.WriteAttributeString("schema", "maml");
        foreach (var c in commands)
        {
            w.WriteStartElement("command", "command", Command);
            w.WriteAttributeString("xmlns", "maml", null, Maml);
            w.WriteAttributeString("xmlns", "command", null, Command);
            w.WriteAttributeString("xmlns", "dev", null, Dev);

            w.WriteStartElement("command", "details", Command);
            w.WriteElementString("command", "name", Command, c.Name);
            var dash = c.Name.IndexOf('-');
            w.WriteElementString("command", "verb", Command, dash > 0 ? c.Name.Substring(0, dash) : c.Name);
            w.WriteElementString("command", "noun", Command, dash > 0 ? c.Name.Substring(dash + 1) : "");
            Description(w, new[] { c.Synopsis });
            w.WriteEndElement();

            Description(w, c.Description);

            w.WriteStartElement("command", "syntax", Command);
            foreach (var (set, _) in Sets(c))
            {
                w.WriteStartElement("command", "syntaxItem", Command);
                w.WriteElementString("maml", "name", Maml, c.Name);
                foreach (var p in InSet(c, set)) Parameter(w, p, inSyntax: true);
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("command", "parameters", Command);
            foreach (var p in c.Parameters.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)) Parameter(w, p, inSyntax: false);
            w.WriteEndElement();

            Types(w, "inputTypes", "inputType", c.Inputs);
            Types(w, "returnValues", "returnValue", c.Outputs);

            w.WriteStartElement("maml", "alertSet", Maml);
            w.WriteStartElement("maml", "alert", Maml);
            Paras(w, c.Notes);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("command", "examples", Command);
            foreach (var (title, code, remarks) in c.Examples)
            {
                w.WriteStartElement("command", "example", Command);
                w.WriteElementString("maml", "title", Maml, $"-------------------------- {title} --------------------------");
                w.WriteElementString("dev", "code", Dev, code);
                w.WriteStartElement("dev", "remarks", Dev);
                Paras(w, remarks);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("command", "relatedLinks", Command);
            foreach (var (text, uri) in c.Links)
            {
                w.WriteStartElement("maml", "navigationLink", Maml);
                w.WriteElementString("maml", "linkText", Maml, text);
                w.WriteElementString("maml", "uri", Maml, uri);
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void Parameter(XmlWriter w, HelpParameter p, bool inSyntax)
    {
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", p.Required ? "true" : "false");
        w.WriteAttributeString("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
        w.WriteAttributeString("globbing", p.Globbing ? "true" : "false");
        w.WriteAttributeString("pipelineInput", PipelineInput(p));
        w.WriteAttributeString("position", p.Position.HasValue ? p.Position.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named");
        w.WriteAttributeString("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases));
        w.WriteElementString("maml", "name", Maml, p.Name);
        Description(w, p.Description);
        if (!(inSyntax && p.IsSwitch))
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", p.IsSwitch ? "false" : "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(p.Type);
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, p.Type);
        w.WriteElementString("maml", "uri", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, p.DefaultValue);
        w.WriteEndElement();
    }

    private static string PipelineInput(HelpParameter p) =>
        p.ByValue && p.ByPropertyName ? "True (ByPropertyName, ByValue)"
        : p.ByValue ? "True (ByValue)"
        : p.ByPropertyName ? "True (ByPropertyName)"
        : "False";

    private static void Types(XmlWriter w, string outer, string inner, List<(string Type, List<string> Text)> types)
    {
        w.WriteStartElement("command", outer, Command);
        foreach (var (type, text) in types)
        {
            w.WriteStartElement("command", inner, Command);
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, type);
            w.WriteEndElement();
            Description(w, text);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Description(XmlWriter w, IEnumerable<string> paragraphs)
    {
        w.WriteStartElement("maml", "description", Maml);
        Paras(w, paragraphs);
        w.WriteEndElement();
    }

    private static void Paras(XmlWriter w, IEnumerable<string> paragraphs)
    {
        foreach (var para in paragraphs) w.WriteElementString("maml", "para", Maml, para);
    }
}

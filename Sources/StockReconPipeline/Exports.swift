// The command line imports the pipeline only; these are the types it passes through.
@_exported import StockReconCore
@_exported import struct StockReconIO.InputFile
@_exported import struct StockReconStore.ResultTable
@_exported import enum StockReconStore.TableValue
@_exported import struct StockReconStore.Refusal
@_exported import struct StockReconStore.Decision
@_exported import struct StockReconIO.ConfigurationError
@_exported import enum StockReconIO.MappingFile
@_exported import enum StockReconIO.PipelineFile
@_exported import struct StockReconIO.PipelineDefinition
@_exported import enum StockReconIO.SheetFormat
@_exported import enum StockReconIO.ReportFormat
@_exported import enum StockReconIO.OutputFile
@_exported import class StockReconIO.BufferedOutput
@_exported import enum StockReconIO.Presets
@_exported import struct StockReconIO.Preset
@_exported import enum StockReconIO.FormatSniffing
@_exported import struct StockReconStore.CountCompletion
@_exported import struct StockReconStore.CountSession

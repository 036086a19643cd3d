export { FacePipeline, alignFaceCrop, pipelineDistance, DEFAULT_VARIANTS, type FaceInput, type FaceOptions, type FaceVerdict, type ScanPresence, type FaceEmbedding, type RenderVariant, type ScanSurface, type FacePipelineOptions } from "./pipeline";
export { StageCache, STAGES, defaultCacheDir, contentHash, type Stage, type StageCounts } from "./cache";
export { readManifest, validateManifest, manifestConditions, parseCsv, ManifestError, COVARIATES, type Manifest, type ManifestRow, type Covariate } from "./manifest";
export { resolveCohort, distractorFiles, optionId, probeId, rowSetting, type Cohort, type CohortImage, type CohortOptions, type GalleryIdentity } from "./cohort";
export {
  rankOfTruth, ranks, rankRate, cmc, roc, auc, eer, bootstrapInterval, galleryModel, seededRandom, quantile, normalCdf,
  type RocPoint, type Interval, type BootstrapOptions, type GalleryModelPoint,
} from "./metrics";
export { runExperiment, PAPER, MODEL_GALLERY_SIZES, type ExperimentOptions, type ExperimentResult, type RecognizerResult, type ProbeOutcome, type GroupResult } from "./run";
export { missReason, summaryRows, summaryCsv, distancesCsv, groupsCsv, missesCsv, writeExperiment, reportHtml, experimentCharts, cmcChart, rocChart, distanceChart, galleryModelChart, SUMMARY_COLUMNS, fmt } from "./report";
export { chartPng, chartFigure, type Chart, type ChartSeries } from "./figures";
export { observerQuiz, type ObserverQuizOptions } from "./observer";
export { readObserverAnswers, scoreObserver, type ObserverAnswer, type ObserverResult } from "./observer-answers";

// Constants handed out by this entry point are frozen: a caller cannot change them for everyone else.
import { deepFreeze as freeze } from "../core/freeze";
import { DEFAULT_VARIANTS as _variants } from "./pipeline";
import { STAGES as _stages } from "./cache";
import { COVARIATES as _covariates } from "./manifest";
import { PAPER as _paper, MODEL_GALLERY_SIZES as _sizes } from "./run";
import { SUMMARY_COLUMNS as _columns } from "./report";
for (const v of [_variants, _stages, _covariates, _paper, _sizes, _columns]) freeze(v);

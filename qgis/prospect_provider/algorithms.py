"""The Prospect algorithms: each a thin call of one `prospect` command."""

import json
import os
import re
import shlex

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsProcessingParameterVectorLayer,
)

from . import runner, styles

METHODS = ["wofe", "logistic", "rf", "gbt", "fuzzy", "index"]
METHOD_NAMES = [
    "Weights of evidence (wofe)",
    "Logistic regression (logistic)",
    "Random forest (rf)",
    "Gradient-boosted trees (gbt)",
    "Fuzzy overlay (fuzzy)",
    "Index overlay (index)",
]
VECTOR_FORMATS = ["gpkg", "geojson", "json", "fgb", "shp", "csv", "sqlite", "gml", "kml"]


def layer_name(layer):
    """A Prospect layer name from a QGIS layer's name: letters, digits and underscores."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", layer.name()).strip("_")
    return name or "layer"


def raster_path(layer):
    """The file (or GDAL dataset name) behind a raster layer."""
    if layer.providerType() != "gdal":
        raise QgsProcessingException(
            "{}: prospect reads rasters through GDAL; save the layer to a GeoTIFF first".format(layer.name())
        )
    return layer.source()


class ProspectAlgorithm(QgsProcessingAlgorithm):
    """Common parts: names, help, the extra arguments, running prospect."""

    NAME = ""
    DISPLAY = ""
    GROUP = ("steps", "Prospectivity mapping")
    HELP = ""

    def createInstance(self):  # noqa: N802 (QGIS's names throughout)
        return type(self)()

    def name(self):
        return self.NAME

    def displayName(self):
        return self.DISPLAY

    def groupId(self):
        return self.GROUP[0]

    def group(self):
        return self.GROUP[1]

    def shortHelpString(self):
        return self.HELP + "\n\nRuns the prospect binary with --progress json; cancelling stops it (SIGTERM), and it removes what it had half written."

    def initAlgorithm(self, config=None):
        self.define()
        extra = QgsProcessingParameterString(
            "ARGUMENTS", "Further prospect arguments (as on the command line)", optional=True
        )
        extra.setFlags(extra.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(extra)

    # Helpers for subclasses.

    def optional(self, parameter, advanced=False):
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagOptional)
        if advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(parameter)

    def given(self, parameters, name):
        value = parameters.get(name)
        return value is not None and value != ""

    def rasters(self, parameters, name, context, option):
        arguments = []
        for layer in self.parameterAsLayerList(parameters, name, context) or []:
            arguments += [option, "{}={}".format(layer_name(layer), raster_path(layer))]
        return arguments

    def vector(self, parameters, name, context, feedback):
        """PATH or PATH:LAYER of a vector parameter (exported when prospect cannot read it as is)."""
        if not self.given(parameters, name):
            return None
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, name, context, VECTOR_FORMATS, "gpkg", feedback
        )
        return "{}:{}".format(path, layer) if layer else path

    def number(self, parameters, name, context, option, integer=False):
        if not self.given(parameters, name):
            return []
        value = self.parameterAsInt(parameters, name, context) if integer else self.parameterAsDouble(parameters, name, context)
        return [option, repr(value)]

    def text(self, parameters, name, context, option, separator=None):
        value = self.parameterAsString(parameters, name, context) if self.given(parameters, name) else ""
        if not value.strip():
            return []
        if separator is None:
            return [option, value]
        arguments = []
        for item in value.split(separator):
            if item.strip():
                arguments += [option, item.strip()]
        return arguments

    def processAlgorithm(self, parameters, context, feedback):
        arguments = self.arguments(parameters, context, feedback)
        if self.given(parameters, "ARGUMENTS"):
            arguments += shlex.split(self.parameterAsString(parameters, "ARGUMENTS", context))
        stdout = runner.run(arguments, feedback)
        if stdout is None:
            return {}
        return self.results(parameters, context, stdout)


class TrainingParameters:
    """The evidence, deposits and method parameters `train` and `cv` share."""

    def define_training(self):
        self.optional(QgsProcessingParameterFile("STACK", "Prepared stack (folder written by prepare)", behavior=QgsProcessingParameterFile.Folder))
        self.optional(QgsProcessingParameterMultipleLayers("EVIDENCE", "Continuous evidence rasters (named by their layer names)", QgsProcessing.TypeRaster))
        self.optional(QgsProcessingParameterMultipleLayers("CATEGORICAL", "Categorical evidence rasters", QgsProcessing.TypeRaster))
        self.optional(QgsProcessingParameterVectorLayer("DEPOSITS", "Known deposits (points)", [QgsProcessing.TypeVectorPoint]))
        self.optional(QgsProcessingParameterField("DEPOSITS_ID", "Field naming the deposits", parentLayerParameterName="DEPOSITS"))
        self.optional(QgsProcessingParameterString("DEPOSITS_WHERE", "Only deposits matching (OGR SQL WHERE clause)"), advanced=True)
        self.addParameter(QgsProcessingParameterEnum("METHOD", "Method", options=METHOD_NAMES, defaultValue=0))
        self.optional(QgsProcessingParameterNumber("UNIT_CELL_KM2", "Weights of evidence: unit cell (km²)", QgsProcessingParameterNumber.Double, minValue=0))
        self.optional(QgsProcessingParameterString("TRANSFORMS", "Transforms, NAME=SPEC separated by ';' (e.g. thorium=log; k=zscore)"), advanced=True)
        self.optional(QgsProcessingParameterString("EXPRESSION", "Fuzzy overlay: expression, e.g. and(a, or(b, c))"), advanced=True)
        self.optional(QgsProcessingParameterString("WEIGHTS", "Index overlay: weights, NAME=W separated by ';'"), advanced=True)
        self.optional(QgsProcessingParameterNumber("SEED", "Seed (background sample, trees, folds)", QgsProcessingParameterNumber.Integer, minValue=0), advanced=True)

    def training_arguments(self, parameters, context, feedback):
        arguments = ["--method", METHODS[self.parameterAsEnum(parameters, "METHOD", context)]]
        if self.given(parameters, "STACK"):
            arguments += ["--stack", self.parameterAsFile(parameters, "STACK", context)]
        arguments += self.rasters(parameters, "EVIDENCE", context, "--evidence")
        arguments += self.rasters(parameters, "CATEGORICAL", context, "--categorical")
        deposits = self.vector(parameters, "DEPOSITS", context, feedback)
        if deposits:
            arguments += ["--deposits", deposits]
        arguments += self.text(parameters, "DEPOSITS_ID", context, "--deposits-id")
        arguments += self.text(parameters, "DEPOSITS_WHERE", context, "--deposits-where")
        arguments += self.number(parameters, "UNIT_CELL_KM2", context, "--unit-cell-km2")
        arguments += self.text(parameters, "TRANSFORMS", context, "--transform", separator=";")
        arguments += self.text(parameters, "EXPRESSION", context, "--expression")
        arguments += self.text(parameters, "WEIGHTS", context, "--weight", separator=";")
        arguments += self.number(parameters, "SEED", context, "--seed", integer=True)
        return arguments


class Prepare(ProspectAlgorithm):
    NAME = "prepare"
    DISPLAY = "Prepare evidence layers"
    HELP = "prospect prepare: puts rasters and vectors on one grid (a reference raster's, or a CRS, cell size and extent), masked to the study area, into a stack folder that train and score read. Layers are named by their QGIS layer names."

    def define(self):
        self.optional(QgsProcessingParameterRasterLayer("REFERENCE", "Reference grid (raster)"))
        self.optional(QgsProcessingParameterCrs("CRS", "Grid CRS (without a reference grid)"))
        self.optional(QgsProcessingParameterNumber("CELL_SIZE", "Cell size (CRS units)", QgsProcessingParameterNumber.Double, minValue=0))
        self.optional(QgsProcessingParameterExtent("EXTENT", "Grid extent (default: the study area's)"))
        self.optional(QgsProcessingParameterVectorLayer("STUDY_AREA", "Study area (polygons)", [QgsProcessing.TypeVectorPolygon]))
        self.optional(QgsProcessingParameterMultipleLayers("EVIDENCE", "Continuous rasters", QgsProcessing.TypeRaster))
        self.optional(QgsProcessingParameterMultipleLayers("CATEGORICAL", "Categorical rasters", QgsProcessing.TypeRaster))
        self.optional(QgsProcessingParameterMultipleLayers("DISTANCE", "Distance to features (vectors)", QgsProcessing.TypeVectorAnyGeometry))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Stack folder"))
        self.addOutput(QgsProcessingOutputFile("STACK", "Stack manifest (stack.json)"))

    def arguments(self, parameters, context, feedback):
        arguments = ["prepare"]
        if self.given(parameters, "REFERENCE"):
            arguments += ["--reference", raster_path(self.parameterAsRasterLayer(parameters, "REFERENCE", context))]
        if self.given(parameters, "CRS"):
            crs = self.parameterAsCrs(parameters, "CRS", context)
            arguments += ["--crs", crs.authid() or crs.toWkt()]
            if self.given(parameters, "EXTENT"):
                e = self.parameterAsExtent(parameters, "EXTENT", context, crs)
                arguments += ["--extent", "{!r},{!r},{!r},{!r}".format(e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum())]
        arguments += self.number(parameters, "CELL_SIZE", context, "--cell-size")
        area = self.vector(parameters, "STUDY_AREA", context, feedback)
        if area:
            arguments += ["--study-area", area]
        arguments += self.rasters(parameters, "EVIDENCE", context, "--raster")
        arguments += self.rasters(parameters, "CATEGORICAL", context, "--categorical")
        for layer in self.parameterAsLayerList(parameters, "DISTANCE", context) or []:
            source = layer.source().split("|")[0]
            match = re.search(r"\|layername=([^|]+)", layer.source())
            path = "{}:{}".format(source, match.group(1)) if match else source
            arguments += ["--distance", "{}={}".format(layer_name(layer), path)]
        self.out = self.parameterAsString(parameters, "OUTPUT", context)
        return arguments + ["--out", self.out]

    def results(self, parameters, context, stdout):
        return {"OUTPUT": self.out, "STACK": os.path.join(self.out, "stack.json")}


class Train(TrainingParameters, ProspectAlgorithm):
    NAME = "train"
    DISPLAY = "Train a model"
    HELP = "prospect train: fits weights of evidence, logistic regression, a random forest or gradient-boosted trees to the evidence and the known deposits, or makes a fuzzy or index overlay; writes the model file (JSON)."

    def define(self):
        self.define_training()
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Model", "JSON files (*.json)"))
        self.addParameter(QgsProcessingParameterFileDestination("WEIGHTS_TABLE", "Weights table (weights of evidence)", "CSV files (*.csv)", optional=True, createByDefault=False))

    def arguments(self, parameters, context, feedback):
        arguments = ["train"] + self.training_arguments(parameters, context, feedback)
        self.out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        self.table = self.parameterAsFileOutput(parameters, "WEIGHTS_TABLE", context) if self.given(parameters, "WEIGHTS_TABLE") else None
        arguments += ["--out", self.out]
        if self.table:
            arguments += ["--weights-table", self.table]
        return arguments

    def results(self, parameters, context, stdout):
        results = {"OUTPUT": self.out}
        if self.table:
            results["WEIGHTS_TABLE"] = self.table
        return results


class Score(ProspectAlgorithm):
    NAME = "score"
    DISPLAY = "Score a prospectivity map"
    HELP = "prospect score: scores every cell with a model into a tiled GeoTIFF (probabilities for trained models), loaded on the viridis ramp."

    def define(self):
        self.addParameter(QgsProcessingParameterFile("MODEL", "Model (written by train)", extension="json"))
        self.optional(QgsProcessingParameterFile("STACK", "Score this prepared stack instead of the model's layers", behavior=QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterEnum("COMPRESS", "Compression", options=["zstd", "deflate", "lzw", "none"], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean("COG", "Cloud Optimized GeoTIFF", defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean("UNCERTAINTY", "Add the model's uncertainty bands", defaultValue=False))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Prospectivity map"))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        arguments = ["score", "--model", self.parameterAsFile(parameters, "MODEL", context), "--out", self.out]
        if self.given(parameters, "STACK"):
            arguments += ["--stack", self.parameterAsFile(parameters, "STACK", context)]
        arguments += ["--compress", ["zstd", "deflate", "lzw", "none"][self.parameterAsEnum(parameters, "COMPRESS", context)]]
        if self.parameterAsBool(parameters, "COG", context):
            arguments.append("--cog")
        if self.parameterAsBool(parameters, "UNCERTAINTY", context):
            arguments.append("--uncertainty")
        return arguments

    def results(self, parameters, context, stdout):
        styles.on_load(context, self.out, styles.style_probability)
        return {"OUTPUT": self.out}


class Targets(ProspectAlgorithm):
    NAME = "targets"
    DISPLAY = "Rank exploration targets"
    HELP = "prospect targets: the highest-scoring areas of a map as ranked polygons with their expected and known deposits and an explanation; loaded graduated and labelled by rank."

    def define(self):
        self.addParameter(QgsProcessingParameterRasterLayer("MAP", "Prospectivity map"))
        self.optional(QgsProcessingParameterVectorLayer("DEPOSITS", "Known deposits to count (points)", [QgsProcessing.TypeVectorPoint]))
        self.optional(QgsProcessingParameterField("DEPOSITS_ID", "Field naming the deposits", parentLayerParameterName="DEPOSITS"))
        self.optional(QgsProcessingParameterNumber("TOP", "Keep the best (0: all)", QgsProcessingParameterNumber.Integer, minValue=0))
        self.optional(QgsProcessingParameterNumber("TOP_AREA", "Percent of the area targets may cover", QgsProcessingParameterNumber.Double, minValue=0, maxValue=100))
        self.optional(QgsProcessingParameterNumber("THRESHOLD", "Score threshold (instead of the area)", QgsProcessingParameterNumber.Double))
        self.optional(QgsProcessingParameterNumber("MIN_CELLS", "Smallest target (cells)", QgsProcessingParameterNumber.Integer, minValue=1))
        self.optional(QgsProcessingParameterNumber("MAX_AREA_KM2", "Split targets larger than (km²)", QgsProcessingParameterNumber.Double, minValue=0))
        self.addParameter(QgsProcessingParameterEnum("RANK_BY", "Rank by", options=["expected", "peak", "mean"], defaultValue=0))
        self.addParameter(QgsProcessingParameterVectorDestination("OUTPUT", "Targets", QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterVectorDestination("TILES", "Ranked tiles", QgsProcessing.TypeVectorPolygon, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination("CSV", "Targets as CSV", "CSV files (*.csv)", optional=True, createByDefault=False))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        self.tiles = self.parameterAsOutputLayer(parameters, "TILES", context) if self.given(parameters, "TILES") else None
        self.csv = self.parameterAsFileOutput(parameters, "CSV", context) if self.given(parameters, "CSV") else None
        arguments = ["targets", raster_path(self.parameterAsRasterLayer(parameters, "MAP", context)), "--out", self.out]
        if self.tiles:
            arguments += ["--tiles-out", self.tiles]
        if self.csv:
            arguments += ["--csv", self.csv]
        deposits = self.vector(parameters, "DEPOSITS", context, feedback)
        if deposits:
            arguments += ["--deposits", deposits]
        arguments += self.text(parameters, "DEPOSITS_ID", context, "--deposits-id")
        arguments += self.number(parameters, "TOP", context, "--top", integer=True)
        arguments += self.number(parameters, "TOP_AREA", context, "--top-area")
        arguments += self.number(parameters, "THRESHOLD", context, "--threshold")
        arguments += self.number(parameters, "MIN_CELLS", context, "--min-cells", integer=True)
        arguments += self.number(parameters, "MAX_AREA_KM2", context, "--max-area-km2")
        arguments += ["--rank-by", ["expected", "peak", "mean"][self.parameterAsEnum(parameters, "RANK_BY", context)]]
        return arguments

    def results(self, parameters, context, stdout):
        styles.on_load(context, self.out, styles.style_targets)
        results = {"OUTPUT": self.out}
        if self.tiles:
            results["TILES"] = self.tiles
        if self.csv:
            results["CSV"] = self.csv
        return results


def json_output(stdout, path):
    """Writes prospect's --json answer (its standard output) to `path` and returns it parsed."""
    text = "\n".join(stdout)
    try:
        value = json.loads(text)
    except ValueError:
        raise QgsProcessingException("prospect printed no JSON answer")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return value


class Validate(ProspectAlgorithm):
    NAME = "validate"
    DISPLAY = "Validate a map"
    GROUP = ("validation", "Validation and reports")
    HELP = "prospect validate: ROC AUC, success-rate and prediction-rate curves, the P-A intersection and the expected deposits of a map against known deposits."

    def define(self):
        self.addParameter(QgsProcessingParameterRasterLayer("MAP", "Map"))
        self.addParameter(QgsProcessingParameterVectorLayer("DEPOSITS", "Known deposits (points)", [QgsProcessing.TypeVectorPoint]))
        self.optional(QgsProcessingParameterField("DEPOSITS_ID", "Field naming the deposits", parentLayerParameterName="DEPOSITS"))
        self.optional(QgsProcessingParameterVectorLayer("VALIDATION_DEPOSITS", "Independent deposits (not used in training)", [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Validation (JSON)", "JSON files (*.json)"))
        self.addOutput(QgsProcessingOutputNumber("AUC", "ROC AUC"))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        arguments = ["validate", raster_path(self.parameterAsRasterLayer(parameters, "MAP", context))]
        arguments += ["--deposits", self.vector(parameters, "DEPOSITS", context, feedback)]
        arguments += self.text(parameters, "DEPOSITS_ID", context, "--deposits-id")
        independent = self.vector(parameters, "VALIDATION_DEPOSITS", context, feedback)
        if independent:
            arguments += ["--validation-deposits", independent]
        return arguments + ["--json"]

    def results(self, parameters, context, stdout):
        value = json_output(stdout, self.out)
        return {"OUTPUT": self.out, "AUC": value.get("auc")}


class CrossValidate(TrainingParameters, ProspectAlgorithm):
    NAME = "cv"
    DISPLAY = "Cross-validate a method"
    GROUP = ("validation", "Validation and reports")
    HELP = "prospect cv: K models, each trained without one fold of spatial blocks and scored on it: the AUC on deposits each model never saw."

    def define(self):
        self.define_training()
        self.optional(QgsProcessingParameterNumber("FOLDS", "Folds", QgsProcessingParameterNumber.Integer, minValue=2, maxValue=100))
        self.addParameter(QgsProcessingParameterEnum("SCHEME", "Folds of", options=["blocks", "random"], defaultValue=0))
        self.optional(QgsProcessingParameterNumber("BLOCK_KM", "Block side (km; default: from the deposits' spacing)", QgsProcessingParameterNumber.Double, minValue=0))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Cross-validation (JSON)", "JSON files (*.json)"))
        self.addOutput(QgsProcessingOutputNumber("POOLED_AUC", "Pooled out-of-fold ROC AUC"))
        self.addOutput(QgsProcessingOutputNumber("MEAN_AUC", "Mean ROC AUC over folds"))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        arguments = ["cv"] + self.training_arguments(parameters, context, feedback)
        arguments += self.number(parameters, "FOLDS", context, "--folds", integer=True)
        arguments += ["--scheme", ["blocks", "random"][self.parameterAsEnum(parameters, "SCHEME", context)]]
        arguments += self.number(parameters, "BLOCK_KM", context, "--block-km")
        return arguments + ["--json"]

    def results(self, parameters, context, stdout):
        value = json_output(stdout, self.out)
        return {"OUTPUT": self.out, "POOLED_AUC": value.get("pooled_auc"), "MEAN_AUC": value.get("mean_auc")}


class Run(ProspectAlgorithm):
    NAME = "run"
    DISPLAY = "Run a study file"
    GROUP = ("studies", "Studies")
    HELP = "prospect run: a study file (YAML) from prepare to validation, every output under one folder; the map and the targets are loaded styled."

    def define(self):
        self.addParameter(QgsProcessingParameterFile("STUDY", "Study file (YAML)", fileFilter="Study files (*.yaml *.yml)"))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputRasterLayer("MAP", "Prospectivity map"))
        self.addOutput(QgsProcessingOutputVectorLayer("TARGETS", "Targets", QgsProcessing.TypeVectorPolygon))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsString(parameters, "OUTPUT", context)
        return ["run", self.parameterAsFile(parameters, "STUDY", context), "--out", self.out]

    def results(self, parameters, context, stdout):
        results = {"OUTPUT": self.out}
        for key, name, title, style in [
            ("MAP", "prospectivity.tif", "Prospectivity", styles.style_probability),
            ("TARGETS", "targets.geojson", "Targets", styles.style_targets),
        ]:
            path = os.path.join(self.out, name)
            if os.path.exists(path):
                results[key] = path
                context.addLayerToLoadOnCompletion(path, QgsProcessingContext.LayerDetails(title, context.project(), key))
                styles.on_load(context, path, style)
        return results


class Report(ProspectAlgorithm):
    NAME = "report"
    DISPLAY = "Write a report"
    GROUP = ("validation", "Validation and reports")
    HELP = "prospect report: an HTML report of a run's folder, or of a map and its model with the deposits, targets, validation and cross-validation given."

    def define(self):
        self.optional(QgsProcessingParameterFile("RUN_DIR", "Run folder (written by run)", behavior=QgsProcessingParameterFile.Folder))
        self.optional(QgsProcessingParameterRasterLayer("MAP", "Map (without a run folder)"))
        self.optional(QgsProcessingParameterFile("MODEL", "Model", extension="json"))
        self.optional(QgsProcessingParameterVectorLayer("DEPOSITS", "Known deposits", [QgsProcessing.TypeVectorPoint]))
        self.optional(QgsProcessingParameterVectorLayer("TARGETS", "Targets", [QgsProcessing.TypeVectorPolygon]))
        self.optional(QgsProcessingParameterFile("VALIDATION", "Validation (JSON)", extension="json"))
        self.optional(QgsProcessingParameterFile("CV", "Cross-validation (JSON)", extension="json"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Report", "HTML files (*.html)"))

    def arguments(self, parameters, context, feedback):
        self.out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        arguments = ["report"]
        if self.given(parameters, "RUN_DIR"):
            arguments.append(self.parameterAsFile(parameters, "RUN_DIR", context))
        elif self.given(parameters, "MAP") and self.given(parameters, "MODEL"):
            arguments += ["--map", raster_path(self.parameterAsRasterLayer(parameters, "MAP", context))]
            arguments += ["--model", self.parameterAsFile(parameters, "MODEL", context)]
            for key, option in [("DEPOSITS", "--deposits"), ("TARGETS", "--targets")]:
                path = self.vector(parameters, key, context, feedback)
                if path:
                    arguments += [option, path]
            for key, option in [("VALIDATION", "--validation"), ("CV", "--cv")]:
                if self.given(parameters, key):
                    arguments += [option, self.parameterAsFile(parameters, key, context)]
        else:
            raise QgsProcessingException("give a run folder, or a map and its model")
        return arguments + ["--out", self.out]

    def results(self, parameters, context, stdout):
        return {"OUTPUT": self.out}


ALGORITHMS = [Prepare, Train, Score, Targets, Validate, CrossValidate, Run, Report]

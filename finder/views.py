from django.shortcuts import render


def finder(request):
    return render(request, "finder/finder.html")
